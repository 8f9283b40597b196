"""L'envoi des SMS de l'outbox par le worker, par l'API de l'opérateur (`notifications.sms`)."""

import datetime
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from notifications import sms as provider
from notifications.delivery import MAX_ATTEMPTS, retry_delay
from notifications.enums import OutboxStatus
from notifications.models import OutboxSms, SmsSubscription

logger = logging.getLogger(__name__)


def sms_next_slot(now: datetime.datetime) -> datetime.datetime:
    """Le premier moment où un SMS peut partir : tout de suite, ou 8 h si l'on est entre 20 h et 8 h."""
    start, end = settings.SMS_QUIET_HOURS
    local = timezone.localtime(now)
    if local.hour >= start:
        local = (local + datetime.timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    elif local.hour < end:
        local = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return local if local != timezone.localtime(now) else now


def sms_send(sms_id: int) -> bool:
    """Envoie un SMS de l'outbox s'il est dû ; True s'il est parti. Comme `outbox_send` : réclamé d'abord, un
    refus (4xx) est définitif, une panne ou un délai dépassé est réessayé plus tard."""
    now = timezone.now()
    claimed = (
        OutboxSms.objects.due(now)
        .filter(pk=sms_id)
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = OutboxSms.objects.get(pk=sms_id)
    if message.kind:
        slot = sms_next_slot(now)
        if slot != now:  # la nuit est arrivée entre-temps : il attend le matin
            OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.PENDING, next_attempt_at=slot)
            return False
        subscription = SmsSubscription.objects.filter(user_id=message.recipient_id).first()
        if subscription is None or not subscription.wants(message.kind) or subscription.phone != message.to:
            OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.SKIPPED)
            return False
    try:
        receipt = provider.send(to=message.to, body=message.body, tag=message.key)
    except provider.SmsRefused as exc:
        OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.REFUSED, last_error=str(exc))
        logger.warning("SMS %s refusé par l'opérateur : %s", sms_id, exc)
        return False
    except provider.SmsTemporaryError as exc:
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxSms.objects.filter(pk=sms_id).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=now + retry_delay(message.attempts),
            last_error=str(exc)[:300],
        )
        logger.warning("Envoi du SMS %s échoué (essai %s) : %s", sms_id, message.attempts, exc)
        return False
    OutboxSms.objects.filter(pk=sms_id).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_id=receipt.provider_id,
        segments=receipt.segments,
        credits=receipt.credits,
    )
    return True


def sms_sweep(*, limit: int = 500) -> int:
    """Reprend les envois interrompus et envoie ce qui est dû (les SMS du matin compris)."""
    now = timezone.now()
    stale_claim = datetime.timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)
    OutboxSms.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - stale_claim).update(
        status=OutboxStatus.PENDING
    )
    due = OutboxSms.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    return sum(sms_send(pk) for pk in list(due))
