from django.db import models

from stats.enums import Indicator


class Aggregate(models.Model):
    """Un chiffre agrégé : la valeur d'un indicateur pour un mois, un département et une famille de métiers.

    `family` vide : toutes familles confondues (un·e candidat·e peut viser plusieurs familles : la somme des
    familles ne fait pas le total). `month` vide : indicateur de stock (offres ouvertes). `departement` et
    `region` vides : lieu inconnu. `days` : pour le délai avant le premier contact, un histogramme (nombre
    d'offres par nombre de jours), d'où l'on tire la médiane de n'importe quel périmètre.
    """

    month = models.DateField("mois", null=True, blank=True)
    region = models.CharField("région", max_length=3, blank=True)
    departement = models.CharField("département", max_length=3, blank=True)
    family = models.CharField("famille de métiers", max_length=40, blank=True)
    indicator = models.CharField("indicateur", max_length=30, choices=Indicator.choices)
    days = models.PositiveIntegerField("jours", null=True, blank=True)
    value = models.PositiveIntegerField("valeur")

    class Meta:
        verbose_name = "agrégat statistique"
        indexes = [
            models.Index(fields=["family", "region", "departement"], name="stats_aggregate_scope"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.month} {self.departement} {self.family} = {self.value}"


class Refresh(models.Model):
    """Un calcul complet des agrégats (le dernier donne la date affichée sur la page)."""

    computed_at = models.DateTimeField("calculé le")
    rows = models.PositiveIntegerField("lignes", default=0)

    class Meta:
        verbose_name = "calcul des statistiques"
        get_latest_by = "computed_at"

    def __str__(self):
        return f"Calcul du {self.computed_at:%d/%m/%Y %H:%M}"


class MaskedCell(models.Model):
    """Une case publiée masquée par le secret statistique (primaire ou secondaire, voir stats/secrecy.py).

    `zone` : « fr », « r<code région> » ou « d<code département> » ; `family` vide : toutes familles ;
    `month` vide : depuis le début."""

    indicator = models.CharField("indicateur", max_length=30, choices=Indicator.choices)
    zone = models.CharField("zone", max_length=4)
    family = models.CharField("famille de métiers", max_length=40, blank=True)
    month = models.DateField("mois", null=True, blank=True)

    class Meta:
        verbose_name = "case masquée"
        indexes = [models.Index(fields=["zone", "family"], name="stats_masked_zone")]

    def __str__(self):
        return f"{self.indicator} {self.zone} {self.family} {self.month}"
