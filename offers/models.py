from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from offers.enums import OfferStatus


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=OfferStatus.PUBLISHED)

    def for_member(self, user):
        """Les offres des établissements dont `user` est membre."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(company__members=user)

    def with_match_counts(self):
        """Compte, en une requête, les paires de chaque offre par étape (voir `matching.enums`).

        `status_rank` trie les offres en ligne d'abord.
        """
        from matching.enums import MatchState

        active = Q(matches__is_active=True)
        return self.annotate(
            new_count=Count("matches", filter=active & Q(matches__state=MatchState.PROPOSED)),
            awaiting_count=Count(
                "matches",
                filter=active & Q(matches__state__in=[MatchState.CANDIDATE_INTERESTED, MatchState.EMPLOYER_INTERESTED]),
            ),
            connected_count=Count("matches", filter=Q(matches__state__in=[MatchState.CONNECTED, MatchState.INTERVIEW])),
            signed_count=Count("matches", filter=Q(matches__state=MatchState.CONTRACT_SIGNED)),
            status_rank=Case(
                When(status=OfferStatus.PUBLISHED, then=Value(0)),
                When(status=OfferStatus.DRAFT, then=Value(1)),
                When(status=OfferStatus.EXPIRED, then=Value(2)),
                When(status=OfferStatus.FILLED, then=Value(3)),
                default=Value(4),
            ),
        )


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
    def open_positions(self) -> int:
        return max(self.positions - self.filled_positions, 0)
