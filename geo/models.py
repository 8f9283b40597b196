from django.db import models


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class CommuneQuerySet(models.QuerySet):
    def located(self):
        return self.filter(lat__isnull=False, lng__isnull=False)


class Commune(models.Model):
    """Une commune, désignée par son code INSEE."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    search_name = models.CharField(max_length=100, db_index=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    lat = models.FloatField("latitude", null=True, blank=True)
    lng = models.FloatField("longitude", null=True, blank=True)
    population = models.PositiveIntegerField("population", default=0)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        indexes = [models.Index(fields=["lat", "lng"], name="commune_lat_lng")]

    def __str__(self):
        return f"{self.name} ({self.departement_id})"

    @property
    def is_located(self):
        return self.lat is not None and self.lng is not None

    @property
    def postal_code_list(self) -> list[str]:
        """Codes postaux triés (profite d'un `prefetch_related("postal_codes")`)."""
        return sorted({postal_code.code for postal_code in self.postal_codes.all()})

    @property
    def label(self) -> str:
        """« Nom (code postal) » : le code postal cherché s'il y en a un, sinon le premier de la commune."""
        code = getattr(self, "matched_postal_code", None) or next(iter(self.postal_code_list), self.departement_id)
        return f"{self.name} ({code})"


class PostalCode(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_codes")

    class Meta:
        verbose_name = "code postal"
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="unique_postal_code_commune")]

    def __str__(self):
        return f"{self.code} {self.commune_id}"
