from django.db import models


class StaffBand(models.TextChoices):
    """Tranche d'effectif de l'entreprise (utile au calcul de l'aide à l'embauche)."""

    FROM_0_TO_10 = "0-10", "De 0 à 10 salariés"
    FROM_11_TO_49 = "11-49", "De 11 à 49 salariés"
    FROM_50_TO_249 = "50-249", "De 50 à 249 salariés"
    FROM_250 = "250+", "250 salariés ou plus"

    @property
    def under_250(self):
        return self != StaffBand.FROM_250


# Clé de session du SIRET transmis par ProConnect, proposé à l'inscription ou à l'ajout d'un établissement
# (jamais dans l'URL : le SIRET d'un·e entrepreneur·e individuel·le est une donnée personnelle).
SIGNUP_SIRET_SESSION_KEY = "employers_signup_siret"
