import datetime

import pytest
from django.utils import timezone

from core import scheduler
from core.models import ScheduledRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def periodic(settings):
    settings.PERIODIC_TASKS = {"notifications.tasks.sweep_outbox": 60}


def test_a_due_task_is_enqueued_once_per_period(periodic):
    now = timezone.now()
    assert scheduler.tick(now) == ["notifications.tasks.sweep_outbox"]
    assert scheduler.tick(now + datetime.timedelta(seconds=30)) == []
    assert scheduler.tick(now + datetime.timedelta(seconds=61)) == ["notifications.tasks.sweep_outbox"]
    assert ScheduledRun.objects.get().last_enqueued_at == now + datetime.timedelta(seconds=61)


def test_a_periodic_task_still_waiting_in_the_queue_is_not_enqueued_again(periodic, settings):
    """Workers en retard : le balayage de l'outbox attend encore dans la file, l'échéance suivante n'en ajoute
    pas un deuxième (ils s'empileraient devant les autres tâches)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    assert scheduler.tick(now) == ["notifications.tasks.sweep_outbox"]
    assert scheduler.tick(now + datetime.timedelta(seconds=61)) == []
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    assert scheduler.tick(now + datetime.timedelta(seconds=122)) == ["notifications.tasks.sweep_outbox"]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_tasks_of_a_dead_worker_are_put_back_in_the_queue(settings):
    """Un worker tué au milieu d'une tâche la laisse « en cours » : elle est remise en file, pas perdue."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core.models import WorkerHeartbeat

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.WORKER_DEAD_SECONDS + 5)
    WorkerHeartbeat.objects.create(worker_id="mort", seen_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="vivant", seen_at=now)
    from notifications.tasks import sweep_outbox

    dead = DBTaskResult.objects.get(pk=sweep_outbox.enqueue().id)
    alive = DBTaskResult.objects.get(pk=sweep_outbox.enqueue().id)
    DBTaskResult.objects.filter(pk=dead.pk).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["mort"]
    )
    DBTaskResult.objects.filter(pk=alive.pk).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["vivant"]
    )

    assert scheduler.requeue_abandoned(now) == 1
    assert DBTaskResult.objects.get(pk=dead.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.RUNNING
    assert scheduler.requeue_abandoned(now) == 0


def test_a_sign_up_interrupted_by_a_database_restart_is_run_again(settings, monkeypatch):
    """La base redémarre pendant la tâche d'une inscription : la tâche n'échoue pas pour de bon, elle est remise en
    file et l'inscription se fait au passage suivant. Une erreur qui dure finit en échec."""
    from django.db import OperationalError
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from candidates import services, tasks
    from core.management.commands.worker import SchedulingWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    calls = []

    def signup_during_a_restart(**kwargs):
        calls.append(kwargs["email"])
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "candidate_signup", signup_during_a_restart)
    worker = SchedulingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    pk = tasks.candidate_signup.enqueue("jeune@example.org", "Lina", "Martin", "2009-05-01").id

    def run_once():
        result = DBTaskResult.objects.get(pk=pk)
        result.claim("w1")
        worker.run_task(result)
        return DBTaskResult.objects.get(pk=pk)

    result = run_once()
    assert result.status == TaskResultStatus.READY and result.run_after > timezone.now()
    assert run_once().status == TaskResultStatus.SUCCESSFUL
    assert calls == ["jeune@example.org", "jeune@example.org"]

    # Une erreur qui ne passe pas : remise en file un nombre limité de fois, puis en échec.
    monkeypatch.setattr(services, "candidate_signup", lambda **kwargs: (_ for _ in ()).throw(OperationalError("x")))
    pk = tasks.candidate_signup.enqueue("autre@example.org", "Noa", "Petit", "2009-05-01").id
    statuses = [run_once().status for _ in range(scheduler.DATABASE_GONE_MAX_RUNS)]
    assert statuses == [TaskResultStatus.READY] * (scheduler.DATABASE_GONE_MAX_RUNS - 1) + [TaskResultStatus.FAILED]
