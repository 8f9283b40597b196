from django.db import models
from django.utils import timezone

from privacy.enums import AnonymisationReason


class AnonymisationRecord(models.Model):
    """Trace d'une anonymisation ou d'une purge, sans aucune donnée personnelle (preuve de conformité)."""

    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField("motif", max_length=20, choices=AnonymisationReason.choices)
    role = models.CharField("rôle du compte", max_length=20, blank=True)

    class Meta:
        verbose_name = "anonymisation"

    def __str__(self):
        return f"{self.get_reason_display()} ({self.created_at:%Y-%m-%d})"
