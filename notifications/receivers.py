"""Les événements de l'opérateur d'envoi des e-mails, reçus par les webhooks de django-anymail : un rebond
définitif ou une plainte mène au même état « adresse refusée » qu'un refus SMTP (`address_refuse`)."""

import logging
import re

from anymail.signals import EventType, tracking
from django.dispatch import receiver

from notifications.delivery import address_refuse
from notifications.enums import RefusalSource

logger = logging.getLogger(__name__)
TEMPORARY_BOUNCES = frozenset({"soft_bounce", "softbounce", "deferred"})


def _smtp_code(event) -> int:
    match = re.match(r"\s*([45]\d\d)", event.mta_response or "")
    return int(match.group(1)) if match else 550


@receiver(tracking)
def refuse_bounced_or_complaining_address(sender, event, esp_name, **kwargs):
    if not event.recipient:
        return
    esp_type = str((event.esp_event or {}).get("event", "")) if isinstance(event.esp_event, dict) else ""
    if event.event_type == EventType.COMPLAINED:
        address_refuse(email=event.recipient, smtp_code=_smtp_code(event), source=RefusalSource.COMPLAINT)
        logger.warning("Plainte signalée par %s : adresse refusée", esp_name)
    elif event.event_type == EventType.BOUNCED and esp_type.lower() not in TEMPORARY_BOUNCES:
        address_refuse(email=event.recipient, smtp_code=_smtp_code(event), source=RefusalSource.BOUNCE)
        logger.warning("Rebond définitif signalé par %s : adresse refusée", esp_name)
