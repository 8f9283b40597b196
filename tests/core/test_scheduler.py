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
