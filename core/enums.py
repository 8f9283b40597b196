"""Vocabulaire partagé par les candidatures, les offres et la mise en relation."""

from django.db import models


class DiplomaLevel(models.TextChoices):
    """Niveaux de diplôme (nomenclature nationale de 2019)."""

    LEVEL_3 = "3", "Niveau 3 : CAP, BEP"
    LEVEL_4 = "4", "Niveau 4 : Bac pro, BP, BTM"
    LEVEL_5 = "5", "Niveau 5 : BTS, BM (Bac+2)"
    LEVEL_6 = "6", "Niveau 6 : Licence, BUT (Bac+3)"
    LEVEL_7 = "7", "Niveau 7 : Master, titre d'ingénieur (Bac+5)"

    @property
    def short_label(self):
        return {"3": "CAP", "4": "Bac pro / BP", "5": "BTS", "6": "Licence / BUT", "7": "Master"}[self.value]


class ContractType(models.TextChoices):
    APPRENTISSAGE = "apprentissage", "Contrat d'apprentissage"
    PROFESSIONNALISATION = "professionnalisation", "Contrat de professionnalisation"


# La distance maximale d'un·e candidat·e (`radius_km`, en km) se choisit parmi ces rayons proposés, qui sont
# aussi les bandes de l'index des candidat·es (`radius_band`). La recherche publique d'offres (page /offres et
# API) accepte toute distance jusqu'à MAX_RADIUS_KM : en km entiers sur la page (au moins MIN_RADIUS_KM),
# toute distance positive dans l'API.
RADIUS_CHOICES = [(10, "10 km"), (20, "20 km"), (30, "30 km"), (50, "50 km"), (100, "100 km")]
RADIUS_BANDS = tuple(sorted(value for value, _label in RADIUS_CHOICES))
DEFAULT_RADIUS_KM = 30
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 200


def radius_band(radius_km: float) -> int:
    """Le plus petit rayon proposé qui couvre `radius_km` (le plus grand au-delà)."""
    return next((band for band in RADIUS_BANDS if radius_km <= band), RADIUS_BANDS[-1])
