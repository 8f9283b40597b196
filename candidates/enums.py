from django.db import models


class SearchStatus(models.TextChoices):
    SEARCHING = "recherche", "Je cherche un employeur"
    PAUSED = "pause", "Je ne cherche plus pour l'instant"
    FOUND = "trouve", "J'ai trouvé un contrat"


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediat", "À chaque nouvelle mise en relation"
    DAILY = "quotidien", "Un résumé par jour"
    NONE = "aucun", "Aucun e-mail"


class AgeException(models.TextChoices):
    """Cas où l'apprentissage reste possible après 29 ans."""

    RQTH = "rqth", "J'ai une reconnaissance de la qualité de travailleur handicapé (RQTH)"
    ATHLETE = "sportif", "Je suis sportif ou sportive de haut niveau"
    BUSINESS = "entreprise", "J'ai un projet de création ou de reprise d'entreprise qui demande ce diplôme"
