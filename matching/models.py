from django.db import models
from django.utils import timezone

from matching.enums import MatchState


class Match(models.Model):
    """Une paire candidat·e / offre qui correspond, et où en est le contact entre les deux."""

    candidate = models.ForeignKey("candidates.CandidateProfile", on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField("score", default=0)
    distance_km = models.FloatField("distance (km)")
    reasons = models.JSONField("raisons", default=list)
    state = models.CharField("état", max_length=20, choices=MatchState.choices, default=MatchState.PROPOSED)
    is_active = models.BooleanField("correspond toujours", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    candidate_answered_at = models.DateTimeField(null=True, blank=True)
    employer_answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mise en relation"
        constraints = [models.UniqueConstraint(fields=["candidate", "offer"], name="unique_match_candidate_offer")]
        indexes = [
            models.Index(fields=["offer", "is_active", "score"], name="match_offer_score"),
            models.Index(fields=["candidate", "is_active", "score"], name="match_candidate_score"),
        ]

    def __str__(self):
        return f"Mise en relation {self.pk}"
