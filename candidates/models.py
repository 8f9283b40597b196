from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.enums import AgeException, NotificationFrequency, SearchStatus
from core.enums import DEFAULT_RADIUS_KM, RADIUS_CHOICES, DiplomaLevel


class CandidateProfileQuerySet(models.QuerySet):
    def searching(self):
        """Profils complets de jeunes qui cherchent un employeur (ceux que la mise en relation considère)."""
        return self.filter(is_complete=True, status=SearchStatus.SEARCHING)

    def trade_labels(self) -> dict[int, list[str]]:
        """Les métiers de chaque profil, par ordre alphabétique : une requête, sans objet `Trade` à construire
        (les listes de profils n'en montrent que les libellés)."""
        labels = defaultdict(list)
        rows = self.filter(trades__isnull=False).order_by("trades__label").values_list("pk", "trades__label")
        for pk, label in rows:
            labels[pk].append(label)
        return labels


class CandidateProfile(models.Model):
    """Le profil court d'un·e jeune : pas de CV, quelques choix."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidate_profile")
    birth_date = models.DateField("date de naissance")
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune", null=True, blank=True
    )
    radius_km = models.PositiveSmallIntegerField("distance maximale", choices=RADIUS_CHOICES, default=DEFAULT_RADIUS_KM)
    has_driving_licence = models.BooleanField("permis de conduire", default=False)
    has_vehicle = models.BooleanField("véhicule", default=False)
    trades = models.ManyToManyField("trades.Trade", related_name="candidates", verbose_name="métiers", blank=True)
    level = models.CharField("niveau de diplôme préparé", max_length=1, choices=DiplomaLevel.choices, blank=True)
    contract_types = models.JSONField("types de contrat", default=list)
    available_from = models.DateField("disponible à partir de", null=True, blank=True)
    has_training_place = models.BooleanField("place en CFA", default=False)
    training_centre = models.CharField("CFA", max_length=200, blank=True)
    presentation = models.TextField("présentation", max_length=500, blank=True)
    status = models.CharField("situation", max_length=10, choices=SearchStatus.choices, default=SearchStatus.SEARCHING)
    found_contract_at = models.DateTimeField(null=True, blank=True)
    found_through_service = models.BooleanField(null=True, blank=True)
    age_exception = models.CharField(
        "exception à la limite d'âge", max_length=10, choices=AgeException.choices, blank=True
    )
    job_seeker = models.BooleanField(
        "inscrit·e à France Travail",
        default=False,
        help_text="Demandeur·se d'emploi : le contrat de professionnalisation reste possible à 26 ans et plus.",
    )
    is_complete = models.BooleanField("profil complet", default=False)
    notification_frequency = models.CharField(
        "e-mails", max_length=10, choices=NotificationFrequency.choices, default=NotificationFrequency.IMMEDIATE
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # « Tu cherches toujours ? » : demandé tous les 2 mois (`services.status_checks_send`), confirmé par un clic.
    status_asked_at = models.DateTimeField("situation demandée le", null=True, blank=True)
    status_confirmed_at = models.DateTimeField("situation confirmée le", null=True, blank=True)

    objects = CandidateProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "profil candidat"
        indexes = [models.Index(fields=["status", "commune"], name="candidate_status_commune")]

    def __str__(self):
        return f"Profil {self.pk}"

    def age_on(self, day):
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years
