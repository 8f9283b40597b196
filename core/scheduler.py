"""Tâches périodiques lancées par le worker.

`settings.PERIODIC_TASKS` associe le chemin d'une tâche (`django.tasks`) à sa période en secondes.
Chaque worker appelle `tick()` régulièrement ; une mise à jour conditionnelle garantit qu'une échéance
n'est mise en file qu'une fois, même avec plusieurs workers.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import ScheduledRun, WorkerHeartbeat

logger = logging.getLogger(__name__)


HEARTBEAT_KEPT = datetime.timedelta(days=1)


def beat(worker_id: str) -> None:
    """Signe de vie du worker (lu par /healthz) ; ceux des workers arrêtés depuis un jour sont effacés."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEPT).delete()


def _claim(name: str, period: datetime.timedelta, now: datetime.datetime) -> bool:
    claimed = ScheduledRun.objects.filter(name=name, last_enqueued_at__lte=now - period).update(last_enqueued_at=now)
    if claimed:
        return True
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=name, last_enqueued_at=now)
        return True
    except IntegrityError:
        return False


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Met en file les tâches périodiques arrivées à échéance ; renvoie leurs noms."""
    now = now or timezone.now()
    enqueued = []
    for path, seconds in settings.PERIODIC_TASKS.items():
        if _claim(path, datetime.timedelta(seconds=seconds), now):
            import_string(path).enqueue()
            enqueued.append(path)
    if enqueued:
        logger.info("Tâches périodiques mises en file : %s", ", ".join(enqueued))
    return enqueued
