import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.enums import CONNECTED_STATES, OPEN_STATES, KitStep, MatchState, NoInterestReason, Side
from matching.kit import STALL_DAYS


class MatchQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_candidate(self, profile):
        return self.filter(candidate=profile)

    def for_offer(self, offer):
        return self.filter(offer=offer)

    def best_first(self):
        return self.order_by("-score", "distance_km", "pk")

    def connected(self):
        """En relation, entretien ou contrat signé : les coordonnées sont partagées."""
        return self.filter(state__in=CONNECTED_STATES)

    def shown_to_employer(self):
        """Les candidat·es qu'un employeur voit sur son offre : en relation d'abord, puis en attente d'une réponse
        (paires qui correspondent toujours) ; les meilleures d'abord dans chaque groupe."""
        return self.filter(Q(state__in=CONNECTED_STATES) | Q(is_active=True, state__in=OPEN_STATES)).order_by(
            Case(When(state__in=CONNECTED_STATES, then=Value(0)), default=Value(1)), "-score", "distance_km", "pk"
        )

    def with_progress(self):
        """Annote `last_progress_at` : la dernière étape cochée, ou à défaut la mise en relation."""
        return self.annotate(last_progress_at=Coalesce("progress_at", "connected_at"))

    def stalled(self, now):
        """En relation (ou entretien) et aucune étape cochée depuis `kit.STALL_DAYS` jours."""
        return (
            self.with_progress()
            .filter(state__in=[MatchState.CONNECTED, MatchState.INTERVIEW])
            .filter(last_progress_at__lte=now - datetime.timedelta(days=STALL_DAYS))
        )


class Match(models.Model):
    """Une paire candidat·e / offre qui correspond, et où en est le contact entre les deux."""

    candidate = models.ForeignKey("candidates.CandidateProfile", on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField("score", default=0)
    distance_km = models.FloatField("distance (km)")
    state = models.CharField("état", max_length=20, choices=MatchState.choices, default=MatchState.PROPOSED)
    is_active = models.BooleanField("correspond toujours", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    candidate_answered_at = models.DateTimeField(null=True, blank=True)
    employer_answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField("refusée par", max_length=10, choices=Side.choices, blank=True)
    no_interest_reason = models.CharField("motif du refus", max_length=10, choices=NoInterestReason.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Alertes « nouvelle paire » déjà envoyées (ou résumées) à chaque côté.
    candidate_alerted = models.BooleanField(default=False)
    employer_alerted = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # « Et maintenant ? » : la dernière étape cochée (vide : aucune depuis la mise en relation) et la relance.
    progress_at = models.DateTimeField("dernière étape cochée", null=True, blank=True)
    nudged_at = models.DateTimeField("relancée (aucune étape depuis 10 jours)", null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = "mise en relation"
        # Les paires d'un profil se lisent par la contrainte d'unicité (profil, offre) : quelques dizaines à trier.
        constraints = [models.UniqueConstraint(fields=["candidate", "offer"], name="unique_match_candidate_offer")]
        indexes = [
            models.Index(fields=["offer", "is_active", "score"], name="match_offer_score"),
            models.Index(fields=["state", "created_at"], name="match_state_created"),
        ]

    def __str__(self):
        return f"Mise en relation {self.pk}"

    @property
    def is_connected(self) -> bool:
        """Vrai une fois l'intérêt mutuel établi : alors seulement les coordonnées sont visibles."""
        return self.state in CONNECTED_STATES


class MatchStep(models.Model):
    """Une étape de « Et maintenant ? » (`matching.kit`) cochée par l'un des côtés d'une paire en relation."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("étape", max_length=20, choices=KitStep.choices)
    done_at = models.DateTimeField("faite le", default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "étape après la mise en relation"
        constraints = [models.UniqueConstraint(fields=["match", "step"], name="unique_match_step")]

    def __str__(self):
        return f"Étape {self.step} de la paire {self.match_id}"


class CandidateTradeIndex(models.Model):
    """Index dénormalisé : une ligne par profil en recherche et par métier, pour trouver vite les
    candidat·es d'une offre (métier + communes proches). Tenu à jour par `rematch_candidate`."""

    candidate = models.ForeignKey("candidates.CandidateProfile", on_delete=models.CASCADE, related_name="+")
    trade = models.ForeignKey("trades.Trade", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    commune_code = models.CharField(max_length=5)
    # Case de 0,1° de la commune (voir `matching.cells`) et rayon arrondi au rayon proposé supérieur.
    cell = models.IntegerField()
    radius_band = models.PositiveSmallIntegerField()
    radius_km = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=1)
    contracts = models.PositiveSmallIntegerField()  # types de contrat voulus (bits de `matching.index.CONTRACT_BITS`)
    available_from = models.DateField()
    birth_date = models.DateField()
    availability_age = models.PositiveSmallIntegerField()  # âge le jour de la disponibilité
    age_exception = models.BooleanField(default=False)
    job_seeker = models.BooleanField(default=False)

    class Meta:
        verbose_name = "index des candidat·es par métier"
        constraints = [models.UniqueConstraint(fields=["candidate", "trade"], name="unique_candidate_trade_index")]
        # Couvrant : la recherche d'une offre lit tout dans l'index, sans aller chercher les lignes. Les deux
        # autres : les profils dont un anniversaire ou la disponibilité change les paires ce jour-là.
        indexes = [
            models.Index(
                fields=[
                    "trade", "radius_band", "cell", "level", "available_from", "birth_date", "contracts",
                    "availability_age", "age_exception", "job_seeker", "commune_code", "radius_km", "candidate",
                ],
                name="candidate_index_lookup",
            ),
            models.Index(fields=["birth_date"], name="candidate_index_birth"),
            models.Index(fields=["available_from"], name="candidate_index_available"),
        ]  # fmt: skip

    def __str__(self):
        return f"Index {self.candidate_id}/{self.trade_id}"


class OfferIndex(models.Model):
    """Index dénormalisé des offres publiées, par métier et case de 0,1°, pour trouver vite les offres
    proches d'un profil. Tenu à jour par `rematch_offer`."""

    offer = models.OneToOneField("offers.Offer", on_delete=models.CASCADE, related_name="+")
    trade = models.ForeignKey("trades.Trade", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    commune_code = models.CharField(max_length=5)
    cell = models.IntegerField()
    levels = models.PositiveSmallIntegerField()  # niveaux acceptés (bits de `matching.index.LEVEL_BITS`) ; 0 : tous
    contracts = models.PositiveSmallIntegerField()  # types de contrat proposés (bits de `matching.index.CONTRACT_BITS`)
    start_date = models.DateField(null=True)
    accepts_minors = models.BooleanField(default=True)
    published_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "index des offres publiées"
        # Couvrant, comme celui des candidat·es.
        indexes = [
            models.Index(
                fields=[
                    "trade", "cell", "levels", "contracts", "start_date", "accepts_minors", "commune_code",
                    "published_at", "offer",
                ],
                name="offer_index_lookup",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"Index offre {self.offer_id}"


class DailyRematch(models.Model):
    """Un passage de la tâche quotidienne (`rematch.rematch_daily`) : les paires sont justes pour `day`.

    Le passage suivant reprend au lendemain du dernier jour fait, même si des jours ont été manqués."""

    day = models.DateField(unique=True)
    profiles = models.PositiveIntegerField(default=0)  # profils recalculés
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "recalcul quotidien"

    def __str__(self):
        return f"Recalcul du {self.day:%d/%m/%Y}"
