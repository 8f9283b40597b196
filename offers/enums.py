from django.db import models


class OfferStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    PUBLISHED = "publiee", "Publiée"
    FILLED = "pourvue", "Pourvue"
    EXPIRED = "expiree", "Expirée"
    ARCHIVED = "archivee", "Archivée"


class ReportTarget(models.TextChoices):
    OFFER = "offre", "L'offre"
    EMPLOYER = "employeur", "L'employeur"


class ReportReason(models.TextChoices):
    """Pourquoi un·e jeune signale une offre ou un employeur (liste courte)."""

    FAKE = "fausse", "L'offre ou l'entreprise semble fausse"
    MONEY_OR_DATA = "argent_donnees", "On me demande de l'argent ou des papiers sans raison"
    INAPPROPRIATE = "deplace", "Propos ou comportement déplacés"
    ILLEGAL_CONDITIONS = "conditions", "Conditions contraires à la loi (horaires, salaire, âge)"
    OTHER = "autre", "Autre raison"


class ReportDecision(models.TextChoices):
    KEPT = "gardee", "Offre gardée"
    REMOVED = "retiree", "Offre retirée"
