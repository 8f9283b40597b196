from django.db import models


class Role(models.TextChoices):
    CANDIDATE = "candidat", "Candidat·e"
    EMPLOYER = "employeur", "Employeur"
    ADVISOR = "conseiller", "Conseiller·e CMA"
    ADMIN = "administrateur", "Administrateur·rice"
