from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "a_envoyer", "À envoyer"
    SENDING = "envoi", "Envoi en cours"
    SENT = "envoye", "Envoyé"
    FAILED = "echec", "Abandonné après trop d'essais"
    REFUSED = "refuse", "Refusé définitivement par le serveur du destinataire"
    SKIPPED = "ecarte", "Non envoyé : adresse refusée par son serveur"
