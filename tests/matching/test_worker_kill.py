"""Le worker est tué (SIGKILL) au milieu de 1 000 alertes, puis relancé : chaque e-mail part une fois.

Le seul risque de doublon de l'outbox est la fenêtre entre l'envoi SMTP accepté et le passage à « envoyé ».
Le test rend l'issue déterministe : il gèle le worker (SIGSTOP), regarde s'il est dans cette fenêtre (un
e-mail « en cours » déjà présent dans le puits) et, si oui, le laisse avancer avant de le tuer. Il vérifie
donc la garantie réelle : hors de cette fenêtre (quelques millisecondes par e-mail), un arrêt brutal ne
perd ni ne double aucun e-mail.
"""

import datetime
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from candidates.models import CandidateProfile
from core.enums import ContractType
from matching import indexes, rematch
from matching.models import DailyRematch
from notifications.delivery import message_id
from tests.matching.factories import OfferFactory, TradeFactory, commune_at, next_month_start

pytestmark = pytest.mark.django_db(transaction=True)

ALERTS = 1000
KILL_AFTER = 300
MESSAGE_ID = re.compile(r"^Message-ID: (<[^>]+>)", re.MULTILINE)
BASE_DIR = Path(django_settings.BASE_DIR)


def seed_alerts():
    """Une offre et 500 profils : 500 alertes aux candidat·es, 500 à l'employeur."""
    trade = TradeFactory(code="boulanger")
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    commune = commune_at(2)
    users = User.objects.bulk_create(
        [User(email=f"jeune{n}@example.org", role=Role.CANDIDATE, first_name="Jeune") for n in range(ALERTS // 2)]
    )
    birth = timezone.localdate().replace(year=timezone.localdate().year - 19, day=1)
    profiles = CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(
                user=user,
                birth_date=birth,
                commune=commune,
                radius_km=30,
                level="3",
                contract_types=[ContractType.APPRENTISSAGE.value],
                available_from=next_month_start(),
                is_complete=True,
            )
            for user in users
        ]
    )
    CandidateProfile.trades.through.objects.bulk_create(
        [CandidateProfile.trades.through(candidateprofile_id=p.pk, trade_id=trade.pk) for p in profiles]
    )
    indexes.candidate_index_rebuild()
    rematch.rematch_offer(offer.pk)  # 1 000 e-mails écrits, 1 000 tâches en file après le commit
    # La tâche quotidienne du jour est faite (ces profils disponibles le mois prochain seraient à recalculer le
    # 1er du mois) : ce test ne porte que sur les envois.
    DailyRematch.objects.create(day=timezone.localdate())


class Database:
    """La base vue par le worker : un fichier SQLite copié de la base de test, ou la base PostgreSQL de test."""

    def __init__(self, tmp_path):
        db = django_settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            target = sqlite3.connect(self.path)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            self.path = None
            self.url = (
                f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )

    timeout = 20

    def run(self, sql, params=()):
        if self.path is not None:
            db = sqlite3.connect(self.path, timeout=self.timeout)
            try:
                with db:  # valide l'écriture éventuelle
                    return db.execute(sql, params).fetchall()
            finally:
                db.close()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []


def start_worker(database, **settings):
    """Un worker dans son propre processus, sur `database`, avec ces variables d'environnement en plus."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.05", "--no-startup-delay"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def sink_ids(sink):
    ids = []
    for path in sink.glob("*.log"):
        ids += MESSAGE_ID.findall(path.read_text(errors="replace"))
    return ids


def wait_for(condition, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_killed_worker_sends_every_alert_exactly_once(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seed_alerts()
    database = Database(tmp_path)
    keys = [row[0] for row in database.run("SELECT key FROM notifications_outboxemail")]
    assert len(keys) == ALERTS
    sink = tmp_path / "sink"
    sink.mkdir()

    worker = start_worker(
        database, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(sink)
    )
    try:
        assert wait_for(lambda: len(sink_ids(sink)) >= KILL_AFTER), "le worker n'a rien envoyé"
        while True:
            worker.send_signal(signal.SIGSTOP)
            database.timeout = 0.5
            try:
                in_flight = [
                    row[0] for row in database.run("SELECT key FROM notifications_outboxemail WHERE status = 'envoi'")
                ]
            except sqlite3.OperationalError:  # gelé en plein point de contrôle SQLite : on le laisse avancer
                in_flight = None
            if in_flight is not None and not set(map(message_id, in_flight)) & set(sink_ids(sink)):
                break  # hors de la fenêtre « envoyé mais pas encore noté »
            worker.send_signal(signal.SIGCONT)
            time.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        database.timeout = 20
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    sent_before = len(sink_ids(sink))
    assert KILL_AFTER <= sent_before < ALERTS, "tué au milieu des envois"

    # Dix minutes passent : l'envoi interrompu est repris ; le balayage de l'outbox est dû tout de suite.
    stale = timezone.now() - datetime.timedelta(minutes=11)
    if database.path is not None:  # format de stockage de Django sous SQLite : UTC sans fuseau
        stale = stale.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    database.run("UPDATE notifications_outboxemail SET claimed_at = ? WHERE status = 'envoi'", (stale,))
    database.run("DELETE FROM core_scheduledrun")
    worker = start_worker(
        database, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(sink)
    )
    try:
        done = wait_for(
            lambda: (
                len(sink_ids(sink)) >= ALERTS
                and not database.run("SELECT 1 FROM notifications_outboxemail WHERE status <> 'envoye'")
            )
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    ids = sink_ids(sink)
    assert done, f"{len(set(ids))} e-mails sur {ALERTS}"
    assert len(ids) == len(set(ids)) == ALERTS
    assert set(ids) == {message_id(key) for key in keys}
