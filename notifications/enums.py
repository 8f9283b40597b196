from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "a_envoyer", "À envoyer"
    SENDING = "envoi", "Envoi en cours"
    SENT = "envoye", "Envoyé"
    FAILED = "echec", "Abandonné après trop d'essais"
    REFUSED = "refuse", "Refusé définitivement par le serveur du destinataire"
    SKIPPED = "ecarte", "Non envoyé : adresse refusée par son serveur"


class RefusalSource(models.TextChoices):
    SMTP = "smtp", "Refus SMTP à l'envoi"
    BOUNCE = "rebond", "Rebond signalé par l'opérateur d'envoi"
    COMPLAINT = "plainte", "Signalé comme indésirable par la personne"


class EmailKind(models.TextChoices):
    """Les sortes d'e-mails : une préférence par sorte, et un lien de désabonnement en un clic dans chacun (sauf
    les liens de connexion, qui n'ont pas de sorte : la personne vient de les demander)."""

    NEW_MATCHES = "nouvelles", "Nouvelles mises en relation"
    ANSWERS = "reponses", "Réponses et mises en relation établies"
    FOLLOW_UP = "relances", "Relances et suivi jusqu'au contrat"
    PROFILE = "profil", "Vie du profil et des offres"
    ACCOUNT = "compte", "Compte, rattachements et sécurité"


class SmsDelivery(models.TextChoices):
    """Ce que l'opérateur dit d'un SMS parti (accusés de réception)."""

    DELIVERED = "recu", "Reçu par le téléphone"
    SOFT_BOUNCE = "echec_temp", "Non reçu pour l'instant"
    HARD_BOUNCE = "echec", "Non reçu : numéro injoignable"
