"""Export JSON Lines des offres face à un disque plein ou indisponible : l'ancien export reste, la tâche
réessaie plus tard."""

import datetime
import errno
import os

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import core.storage
from partners import services, tasks
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def full_disk(monkeypatch, directory):
    """Le fichier en cours d'écriture de l'export mène à /dev/full : chaque écriture y échoue par ENOSPC."""
    temporary = directory / ".plein.tmp"

    def mkstemp(dir, prefix, suffix):
        os.symlink("/dev/full", temporary)
        return os.open(temporary, os.O_WRONLY), str(temporary)

    monkeypatch.setattr(core.storage.tempfile, "mkstemp", mkstemp)
    return temporary


def test_full_disk_keeps_the_previous_export_and_retries_later(settings, tmp_path, database_tasks, monkeypatch):
    settings.EXPORTS_DIR = tmp_path
    OfferFactory()
    name, _ = services.offers_export()
    path = tmp_path / name
    before = path.read_bytes()
    OfferFactory()
    temporary = full_disk(monkeypatch, tmp_path)

    with pytest.raises(OSError) as failure:
        tasks.export_offers.call()
    assert failure.value.errno == errno.ENOSPC
    assert path.read_bytes() == before and len(lines(path)) == 1  # l'ancien export, entier, reste servi
    assert not os.path.lexists(temporary)  # rien de partiel ne reste
    retry = DBTaskResult.objects.get(task_path="partners.tasks.export_offers")
    assert retry.args_kwargs == {"args": [], "kwargs": {"attempt": 2}}
    expected = timezone.now() + datetime.timedelta(minutes=5)
    assert abs(retry.run_after - expected) < datetime.timedelta(seconds=30)

    monkeypatch.undo()
    assert tasks.export_offers.call(attempt=2) == 2  # la place est revenue
    assert len(lines(path)) == 2


def test_unavailable_storage_fails_cleanly_and_gives_up_after_the_last_retry(settings, tmp_path, database_tasks):
    not_a_directory = tmp_path / "stockage"
    not_a_directory.write_text("")
    settings.EXPORTS_DIR = not_a_directory / "exports"
    with pytest.raises(OSError):
        tasks.export_offers.call(attempt=len(tasks.EXPORT_RETRY_DELAYS) + 1)
    assert not DBTaskResult.objects.exists()  # plus d'essai : l'export du lendemain prendra le relais


def test_retry_delays_grow():
    delays = tasks.EXPORT_RETRY_DELAYS
    assert delays == sorted(delays) and delays[0] == datetime.timedelta(minutes=5)
