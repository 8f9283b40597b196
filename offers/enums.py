from django.db import models


class OfferStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    PUBLISHED = "publiee", "Publiée"
    FILLED = "pourvue", "Pourvue"
    EXPIRED = "expiree", "Expirée"
    ARCHIVED = "archivee", "Archivée"
