"""Tâches périodiques lancées par le worker.

`settings.PERIODIC_TASKS` associe le chemin d'une tâche (`django.tasks`) à sa période en secondes.
Chaque worker appelle `tick()` régulièrement ; une mise à jour conditionnelle garantit qu'une échéance
n'est mise en file qu'une fois, même avec plusieurs workers.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from core.models import ScheduledRun, WorkerHeartbeat

logger = logging.getLogger(__name__)


HEARTBEAT_KEPT = datetime.timedelta(days=1)

# Priorité des tâches qu'une personne attend devant son écran (inscription, lien de connexion et son e-mail) :
# elles passent avant les recalculs et les alertes en file, même quand la file est longue.
PERSON_WAITING_PRIORITY = 10


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


def _still_queued(path: str) -> bool:
    """La tâche `path` attend déjà dans la file : quand les workers sont en retard, les échéances ne
    s'empilent pas (une seule attend ; elle fera le travail de toutes)."""
    return DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists()


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Met en file les tâches périodiques arrivées à échéance (sauf celles qui attendent encore dans la file) ;
    renvoie leurs noms."""
    now = now or timezone.now()
    enqueued = []
    for path, seconds in settings.PERIODIC_TASKS.items():
        if _claim(path, datetime.timedelta(seconds=seconds), now) and not _still_queued(path):
            import_string(path).enqueue()
            enqueued.append(path)
    if enqueued:
        logger.info("Tâches périodiques mises en file : %s", ", ".join(enqueued))
    return enqueued


def requeue_abandoned(now: datetime.datetime | None = None) -> int:
    """Remet en file les tâches « en cours » d'un worker mort (tué pendant la tâche, machine perdue) : sans
    signe de vie depuis `WORKER_DEAD_SECONDS`. Renvoie leur nombre.

    Une tâche peut donc être rejouée : les nôtres le supportent (recalculs idempotents, envois réclamés
    dans l'outbox)."""
    now = now or timezone.now()
    dead_before = now - datetime.timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=dead_before).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=dead_before)
    abandoned = [pk for pk, workers in running.values_list("pk", "worker_ids") if workers and workers[-1] not in alive]
    if not abandoned:
        return 0
    requeued = DBTaskResult.objects.filter(pk__in=abandoned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    logger.warning("Tâches d'un worker arrêté remises en file : %s", requeued)
    return requeued


# Erreurs de la base elle-même (redémarrage, bascule, connexion coupée) : la transaction de la tâche est annulée,
# rien n'est fait à moitié. La tâche est remise en file un peu plus tard au lieu d'échouer pour de bon ; au-delà
# de `DATABASE_GONE_MAX_RUNS` exécutions, l'erreur n'est plus passagère et la tâche reste en échec.
DATABASE_GONE = frozenset({"django.db.utils.OperationalError", "django.db.utils.InterfaceError"})
DATABASE_GONE_MAX_RUNS = 5
DATABASE_GONE_RETRY = datetime.timedelta(seconds=5)


def requeue_if_database_was_gone(result, now: datetime.datetime | None = None) -> bool:
    """Remet en file la tâche `result` (un `DBTaskResult` qui vient d'échouer) si la base ne répondait plus.
    Renvoie True si elle l'est."""
    if (
        result.status != TaskResultStatus.FAILED
        or result.exception_class_path not in DATABASE_GONE
        or len(result.worker_ids) >= DATABASE_GONE_MAX_RUNS
    ):
        return False
    now = now or timezone.now()
    requeued = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        started_at=None,
        finished_at=None,
        run_after=now + DATABASE_GONE_RETRY,
        exception_class_path="",
        traceback="",
    )
    if requeued:
        logger.warning("Tâche %s remise en file : la base ne répondait plus", result.task_path)
    return bool(requeued)
