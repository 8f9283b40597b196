"""Le worker est tué (SIGKILL) au milieu de 300 SMS, puis relancé : chaque SMS part une fois, comme les e-mails
(`tests/matching/test_worker_kill.py`, même méthode : le worker est gelé hors de la fenêtre « accepté par
l'opérateur mais pas encore noté », seule fenêtre de doublon possible, de quelques millisecondes par SMS)."""

import datetime
import signal
import sqlite3
import time

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from notifications import services
from tests.matching.test_worker_kill import Database, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 300
KILL_AFTER = 80


def test_killed_worker_sends_every_sms_exactly_once(settings, tmp_path, sms_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    users = User.objects.bulk_create(
        [User(email=f"jeune{n}@example.org", role=Role.CANDIDATE, first_name="Jeune") for n in range(MESSAGES)]
    )
    with transaction.atomic():  # 300 SMS écrits, 300 tâches en file après le commit
        for n, user in enumerate(users):
            services._sms_write(
                key=f"sms-test:{n}",
                to=f"+3361234{n:04d}",
                body=f"Message {n}",
                kind="",
                recipient=user,
                when=timezone.now(),
            )
    database = Database(tmp_path)
    keys = [row[0] for row in database.run("SELECT key FROM notifications_outboxsms")]
    assert len(keys) == MESSAGES

    worker = start_worker(database, SMS_API_URL=sms_server.url, SMS_API_KEY="cle-de-test")
    try:
        assert wait_for(lambda: len(sms_server.tags()) >= KILL_AFTER), "le worker n'a rien envoyé"
        while True:
            worker.send_signal(signal.SIGSTOP)
            database.timeout = 0.5
            try:
                in_flight = [
                    row[0] for row in database.run("SELECT key FROM notifications_outboxsms WHERE status = 'envoi'")
                ]
            except sqlite3.OperationalError:
                in_flight = None
            if in_flight is not None and not set(in_flight) & set(sms_server.tags()):
                break  # hors de la fenêtre « accepté par l'opérateur mais pas encore noté »
            worker.send_signal(signal.SIGCONT)
            time.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        database.timeout = 20
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    sent_before = len(sms_server.tags())
    assert KILL_AFTER <= sent_before < MESSAGES, "tué au milieu des envois"

    # Dix minutes passent : l'envoi interrompu est repris ; le balayage de l'outbox est dû tout de suite.
    stale = timezone.now() - datetime.timedelta(minutes=11)
    if database.path is not None:
        stale = stale.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    database.run("UPDATE notifications_outboxsms SET claimed_at = ? WHERE status = 'envoi'", (stale,))
    database.run("DELETE FROM core_scheduledrun")
    worker = start_worker(database, SMS_API_URL=sms_server.url, SMS_API_KEY="cle-de-test")
    try:
        done = wait_for(
            lambda: (
                len(sms_server.tags()) >= MESSAGES
                and not database.run("SELECT 1 FROM notifications_outboxsms WHERE status <> 'envoye'")
            )
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    tags = sms_server.tags()
    assert done, f"{len(set(tags))} SMS sur {MESSAGES}"
    assert len(tags) == len(set(tags)) == MESSAGES
    assert set(tags) == set(keys)
