from django.db import models

from trades.catalogue import FAMILIES


class TradeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Trade(models.Model):
    """Un métier de l'artisanat du catalogue (`trades/catalogue.py`)."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=150)
    family = models.CharField("famille", max_length=40, choices=FAMILIES)
    rome_codes = models.JSONField("codes ROME", default=list)
    is_active = models.BooleanField("au catalogue", default=True)

    objects = TradeQuerySet.as_manager()

    class Meta:
        verbose_name = "métier"
        ordering = ["label"]

    def __str__(self):
        return self.label
