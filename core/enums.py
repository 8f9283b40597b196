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
