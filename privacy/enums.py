from django.db import models


class AnonymisationReason(models.TextChoices):
    REQUESTED = "demande", "Suppression demandée par la personne"
    INACTIVE = "inactif", "Compte inactif depuis 2 ans"
    FOUND_CONTRACT = "contrat", "Contrat trouvé depuis 2 ans"
    UNFINISHED_SIGNUP = "inscription", "Inscription jamais terminée"
