"""Lectures de l'outbox."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from notifications.enums import OutboxStatus
from notifications.models import OutboxSms


def sms_monthly_costs(*, months: int = 12) -> list[dict]:
    """Les SMS partis, par mois (les plus récents d'abord) : nombre, SMS facturés, crédits et coût en euros
    (`SMS_CREDIT_EUROS` par crédit)."""
    price = Decimal(settings.SMS_CREDIT_EUROS)
    rows = (
        OutboxSms.objects.filter(status=OutboxStatus.SENT, sent_at__isnull=False)
        .annotate(month=TruncMonth("sent_at"))
        .values("month")
        .annotate(count=Count("pk"), segments=Sum("segments"), credits=Sum("credits"))
        .order_by("-month")[:months]
    )
    return [{**row, "euros": (row["credits"] * price).quantize(Decimal("0.01"))} for row in rows]
