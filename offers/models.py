from django.conf import settings
from django.db import models
from django.utils import timezone

from employers.enums import VerificationStatus
from employers.models import Company
from offers.enums import OfferStatus, ReportDecision, ReportReason, ReportTarget


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=OfferStatus.PUBLISHED)

    def matchable(self):
        """Les offres à mettre en relation : publiées, d'une entreprise vérifiée, mise en relation non suspendue.

        Même règle que `Offer.is_matchable` (pour une offre déjà lue)."""
        return self.published().filter(
            company__verification_status=VerificationStatus.VERIFIED, matching_suspended=False
        )

    def for_member(self, user):
        """Les offres des établissements dont `user` est membre approuvé."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(company__in=Company.objects.for_member(user).values("pk"))


class Offer(models.Model):
    """Une offre de contrat en alternance d'un employeur."""

    company = models.ForeignKey("employers.Company", on_delete=models.CASCADE, related_name="offers")
    trade = models.ForeignKey("trades.Trade", on_delete=models.PROTECT, related_name="offers", verbose_name="métier")
    levels = models.JSONField("niveaux acceptés", default=list, blank=True, help_text="Vide : tous les niveaux.")
    contract_types = models.JSONField("types de contrat", default=list)
    start_date = models.DateField("début", null=True, blank=True, help_text="Vide : dès que possible.")
    positions = models.PositiveSmallIntegerField("nombre de postes", default=1)
    filled_positions = models.PositiveSmallIntegerField("postes pourvus", default=0)
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="lieu de travail"
    )
    description = models.TextField("description", blank=True)
    working_hours = models.CharField("horaires", max_length=200, blank=True)
    night_or_early_work = models.BooleanField("travail de nuit ou très tôt", default=False)
    driving_licence_required = models.BooleanField("permis nécessaire", default=False)
    accepts_minors = models.BooleanField("accepte les mineur·es", default=True)
    status = models.CharField("état", max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    lba_consent = models.BooleanField(
        "diffusée sur La bonne alternance",
        default=True,
        help_text="L'employeur accepte que l'offre soit aussi publiée sur La bonne alternance.",
    )
    matching_suspended = models.BooleanField(
        "mise en relation suspendue",
        default=False,
        help_text="Signalée par plusieurs candidat·es : un·e conseiller·e décide.",
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre"
        indexes = [models.Index(fields=["status", "trade", "commune"], name="offer_status_trade_commune")]

    def __str__(self):
        return f"Offre {self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == OfferStatus.PUBLISHED

    @property
    def is_matchable(self) -> bool:
        """Même règle que `OfferQuerySet.matchable`."""
        return self.is_published and not self.matching_suspended and self.company.is_verified

    @property
    def open_positions(self) -> int:
        return max(self.positions - self.filled_positions, 0)


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(decision="")

    def decided(self):
        return self.exclude(decision="")


class Report(models.Model):
    """Un signalement d'une offre ou de son employeur par un·e candidat·e, pour les conseiller·es."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField("objet", max_length=10, choices=ReportTarget.choices, default=ReportTarget.OFFER)
    reason = models.CharField("motif", max_length=20, choices=ReportReason.choices)
    text = models.TextField("précisions", blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField("décision", max_length=10, choices=ReportDecision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement"
        constraints = [models.UniqueConstraint(fields=["offer", "reporter"], name="report_offer_reporter")]

    def __str__(self):
        return f"Signalement {self.pk}"
