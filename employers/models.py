from django.conf import settings
from django.db import models

from employers.enums import StaffBand


class CompanyQuerySet(models.QuerySet):
    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(members=user)


class Company(models.Model):
    """Un établissement employeur, identifié par son SIRET."""

    siret = models.CharField("SIRET", max_length=14, unique=True)
    name = models.CharField("nom de l'entreprise", max_length=200)
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    naf_code = models.CharField("code NAF/APE", max_length=6, blank=True)
    staff_band = models.CharField("effectif", max_length=10, choices=StaffBand.choices, default=StaffBand.FROM_0_TO_10)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="companies", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = "entreprise"

    def __str__(self):
        return f"{self.name} ({self.siret})"

    @property
    def under_250(self) -> bool:
        return self.staff_band != StaffBand.FROM_250
