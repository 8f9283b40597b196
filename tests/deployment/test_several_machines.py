"""Deux serveurs web et deux workers sur une base PostgreSQL et un Redis se comportent comme un seul service.

Le test démarre cette disposition en vrais processus sur la machine, avec les réglages de production
(DEBUG=0) : deux gunicorn sur des ports libres, deux `manage.py worker`, la base de test, un numéro de base
Redis à lui (et un préfixe de clés propre à chaque lancement), un serveur S3 local pour les fichiers. Il
vérifie : une session ouverte sur le web A vaut sur le web B (et la déconnexion aussi) ; une limite de débit
se compte une fois sur A et B ensemble ; chaque tâche périodique n'est lancée qu'une fois par échéance avec
deux workers ; un export écrit par un worker est lu par un serveur web, par le stockage.
"""

import datetime
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.services import magic_link_send
from core.models import ScheduledRun, WorkerHeartbeat
from offers.selectors import public_offers
from partners.services import api_key_create
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import OfferFactory
from tests.s3 import S3_KEYS, S3_REGION, s3_bucket, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(django_settings.BASE_DIR)
REDIS_URL = os.environ.get("SEVERAL_MACHINES_REDIS_URL", "redis://127.0.0.1:6379/14")
API_RATE = 4  # requêtes par minute et par adresse IP, sans clé d'API
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SWEEP = "notifications.tasks.sweep_outbox"


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, timeout=120, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


class Service:
    """Les quatre processus et leurs journaux."""

    def __init__(self, tmp_path, env):
        self.tmp_path, self.env, self.processes, self.web, self.clients = tmp_path, env, [], [], []

    def client(self):
        client = httpx.Client(timeout=30)
        self.clients.append(client)
        return client

    def start(self, name, command, **extra_env):
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process, log))
        return process

    def start_web(self, name):
        port = free_port()
        self.start(
            name,
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--threads", "2"],
            PORT=str(port),
        )
        self.web.append(f"http://127.0.0.1:{port}")

    def start_worker(self, name):
        self.start(name, [sys.executable, "manage.py", "worker", "--no-startup-delay", "--worker-id", name])

    def wait_until_web_answers(self):
        def answers(url):
            try:
                return httpx.get(f"{url}/healthz", timeout=5).status_code in (200, 503)
            except httpx.TransportError:
                return False

        for url in self.web:
            assert wait_for(lambda url=url: answers(url)), f"{url} ne répond pas :\n{self.logs()}"

    def logs(self):
        return "\n".join(
            f"--- {name}\n{(self.tmp_path / f'{name}.log').read_text(errors='replace')[-3000:]}"
            for name, _, _ in self.processes
        )

    def stop(self):
        for client in self.clients:
            client.close()
        for _, process, _ in self.processes:
            process.terminate()
        for _, process, log in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@pytest.fixture
def service(tmp_path, s3_endpoint, s3_bucket):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("plusieurs machines partagent une base PostgreSQL : ce test demande DATABASE_URL=postgres://…")
    if not redis_is_up():
        pytest.skip("Redis ne répond pas sur 127.0.0.1:6379")
    db = connection.settings_dict
    _, bucket = s3_bucket
    env = {
        **os.environ,
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "SECRET_KEY": "plusieurs-machines-une-seule-cle",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "API_ANONYMOUS_RATE": str(API_RATE),
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": S3_REGION,
        "S3_ACCESS_KEY_ID": S3_KEYS["access_key"],
        "S3_SECRET_ACCESS_KEY": S3_KEYS["secret_key"],
        "LOG_FORMAT": "json",
        "PYTHONWARNINGS": "ignore",
    }
    for name in ("SENTRY_DSN", "EXPORTS_DIR", "WEB_CONCURRENCY", "PORT"):
        env.pop(name, None)
    running = Service(tmp_path, env)
    try:
        yield running
    finally:
        running.stop()


def test_two_web_servers_and_two_workers_behave_as_one_service(service, s3_bucket):  # noqa: F811
    s3, bucket = s3_bucket
    candidate = CandidateProfileFactory().user
    offers = [OfferFactory(), OfferFactory()]
    # Le balayage de l'outbox (toutes les 60 s) a été lancé il y a 50 s : sa prochaine échéance tombe
    # pendant le test, après le démarrage des deux workers.
    swept_at = timezone.now() - datetime.timedelta(seconds=50)
    ScheduledRun.objects.create(name=SWEEP, last_enqueued_at=swept_at)

    service.start_web("web-a")
    service.start_web("web-b")
    service.start_worker("worker-1")
    service.start_worker("worker-2")
    service.wait_until_web_answers()
    web_a, web_b = service.web
    # Les cookies ne dépendent pas du port : un seul client pour A et B.
    http = service.client()

    # Les deux workers battent le pouls ; /healthz le voit depuis les deux serveurs.
    assert wait_for(lambda: WorkerHeartbeat.objects.count() == 2), service.logs()
    assert http.get(f"{web_b}/healthz").json()["worker"] == "ok"

    # Session ouverte sur A, valable sur B ; déconnexion sur B, effective sur A.
    token = magic_link_send(user=candidate)
    page = http.get(f"{web_a}/connexion/lien/{token}")
    assert page.status_code == 200, service.logs()
    csrf = CSRF_FIELD.search(page.text).group(1)
    signed_in = http.post(f"{web_a}/connexion/lien", data={"csrfmiddlewaretoken": csrf, "token": token})
    assert signed_in.status_code == 302 and "sessionid" in http.cookies
    home = signed_in.headers["Location"]
    assert not home.startswith("/connexion")
    on_b = http.get(f"{web_b}/mon-espace")
    assert on_b.status_code == 302 and on_b.headers["Location"] == home
    assert http.get(f"{web_b}{home}").status_code == 200
    csrf = CSRF_FIELD.search(http.get(f"{web_b}{home}").text).group(1)
    assert http.post(f"{web_b}/deconnexion", data={"csrfmiddlewaretoken": csrf}).status_code == 302
    assert http.get(f"{web_a}/mon-espace").headers["Location"] == "/connexion"

    # Limite de débit de l'API (API_RATE par minute et par IP) : les requêtes sur A et sur B s'additionnent.
    if time.time() % 60 > 45:  # la fenêtre d'une minute ne doit pas changer pendant la vérification
        time.sleep(61 - time.time() % 60)
    anonymous = service.client()
    answers = [anonymous.get(f"{url}/api/v1/niveaux").status_code for url in (web_a, web_b, web_a, web_b)]
    assert answers == [200] * API_RATE
    assert anonymous.get(f"{web_a}/api/v1/niveaux").status_code == 429
    assert anonymous.get(f"{web_b}/api/v1/niveaux").status_code == 429

    # Tâches périodiques : chacune lancée une seule fois par échéance, alors que deux workers la proposent
    # (un tour toutes les 10 s chacun). Les tâches horaires et quotidiennes passent donc une seule fois ; le
    # balayage de l'outbox (60 s) peut passer plusieurs fois si le test dure, jamais deux fois par minute.
    periods = django_settings.PERIODIC_TASKS

    def runs():
        return {
            path: sorted(DBTaskResult.objects.filter(task_path=path).values_list("enqueued_at", flat=True))
            for path in periods
        }

    def once_per_period():
        for path, times in runs().items():
            period = datetime.timedelta(seconds=periods[path]) - datetime.timedelta(seconds=1)  # horloges des tours
            assert all(later - earlier >= period for earlier, later in itertools.pairwise(times)), (path, times)
        return True

    assert wait_for(lambda: all(runs().values()), timeout=180), (runs(), service.logs())
    assert once_per_period()
    assert runs()[SWEEP][0] >= swept_at + datetime.timedelta(seconds=60)  # à son échéance, pas au démarrage
    first_seen = {row.worker_id: row.seen_at for row in WorkerHeartbeat.objects.all()}
    assert wait_for(
        lambda: all(
            WorkerHeartbeat.objects.get(worker_id=worker).seen_at > seen + datetime.timedelta(seconds=9)
            for worker, seen in first_seen.items()
        ),
        timeout=60,
    )
    assert once_per_period()
    assert all(len(times) == 1 for path, times in runs().items() if periods[path] >= 3600)

    # L'export quotidien écrit par un worker dans le stockage S3 est servi par chacun des serveurs web.
    export = DBTaskResult.objects.get(task_path="partners.tasks.export_offers")
    assert wait_for(lambda: DBTaskResult.objects.get(pk=export.pk).status == "SUCCESSFUL", timeout=60)
    stored = s3.get_object(Bucket=bucket, Key="exports/offres.jsonl")["Body"].read().decode()
    expected = sorted(public_offers().values_list("pk", flat=True))
    assert sorted(offer.pk for offer in offers) == expected
    assert [json.loads(line)["id"] for line in stored.splitlines()] == expected
    _, raw_key = api_key_create(name="Partenaire")  # l'adresse IP du test a épuisé sa limite anonyme
    for url in (web_a, web_b):
        served = http.get(f"{url}/api/v1/exports/offres.jsonl", headers={"X-Api-Key": raw_key})
        assert served.status_code == 200
        assert served.text == stored
