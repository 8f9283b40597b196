from django.db import models


class LbaStatus(models.TextChoices):
    """Où en est la diffusion d'une offre sur La bonne alternance."""

    PENDING = "a_envoyer", "À envoyer"
    SENDING = "envoi", "Envoi en cours"
    SYNCED = "a_jour", "À jour"
    FAILED = "echec", "Abandonnée (erreur)"
