"""Exercice de pannes : la disposition de la production sur cette machine, sous charge, pendant qu'on casse.

Lancé par `make drill` (durées réelles) ou `make drill-short` (CI, durées réduites, environ 5 minutes).
Il démarre SES services, sur des ports libres, sans toucher à ceux de la machine : un PostgreSQL
(`initdb` + `pg_ctl` dans un dossier temporaire), un Redis (`redis-server --save ''`), un serveur SMTP
(aiosmtpd, tests/smtpserver.py), deux processus web (`gunicorn config.wsgi`, DEBUG=0) et deux workers
(`manage.py worker`). Il sème 1 000 alertes à envoyer, lance une charge continue (inscriptions, offres,
réponses) et, pendant ce temps :

- tue un worker (SIGKILL) 10 fois à des moments tirés au hasard, puis le relance (comme un PaaS) ;
- redémarre PostgreSQL une fois ;
- arrête Redis 30 s ;
- fait répondre 4xx au serveur SMTP pendant 2 min, puis 5xx pour une adresse ;
- tue un processus web pendant des requêtes (gunicorn le relance).

À la fin, sans intervention : chaque e-mail arrivé une seule fois au serveur SMTP (compté par Message-ID),
aucune inscription, offre, paire ou réponse confirmée à la charge n'est perdue, les réponses 5xx tiennent
dans les secondes du redémarrage de PostgreSQL, et le service est revenu à la normale. Il affiche les
chiffres et sort avec le code 1 si une de ces conditions manque.

Une seule limite connue, mesurée : un worker tué entre l'acceptation d'un e-mail par le serveur SMTP et
l'écriture « envoyé » en base (quelques millisecondes par e-mail) ferait partir cet e-mail deux fois (la
reprise ne peut pas savoir que le serveur l'a accepté). Comme tests/matching/test_worker_kill.py, l'exercice
gèle le worker (SIGSTOP) au moment tiré, regarde s'il est dans cette fenêtre et, si oui, le laisse avancer de
quelques millisecondes avant de le tuer ; il affiche combien de fois.
"""

import argparse
import datetime
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable


@dataclass
class Plan:
    redis_down: float
    smtp_4xx: float
    load_seconds: float
    worker_kills: int = 10
    alerts: int = 1000
    drain_timeout: float = 300

    @classmethod
    def full(cls):
        return cls(redis_down=30, smtp_4xx=120, load_seconds=300, drain_timeout=600)

    @classmethod
    def short(cls):
        return cls(redis_down=8, smtp_4xx=15, load_seconds=75, drain_timeout=420)


# `--ports 9300-9399` (ou DRILL_PORTS) : les ports des services de l'exercice sont pris dans cette plage (machine
# partagée) ; sans réglage, n'importe quel port libre.
PORT_RANGE: list[int] = []
_ports_taken: set[int] = set()


def free_port() -> int:
    for port in PORT_RANGE or [0]:
        if port in _ports_taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
        _ports_taken.add(port)
        return port
    raise RuntimeError(f"aucun port libre entre {PORT_RANGE[0]} et {PORT_RANGE[-1]}")


def port_range(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"le port {port} ne répond pas")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


# --- Services ---------------------------------------------------------------------------------------


class Postgres:
    """Un cluster PostgreSQL à soi, dans un dossier temporaire (utilisateur postgres si l'on est root)."""

    def __init__(self, root: Path):
        self.dir = root / "pg"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args, check=True):
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def init(self):
        self.dir.mkdir()
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start()
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "drill"], check=True)

    def _options(self):
        return (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )

    def start(self):
        self._run(
            "pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o", self._options(), "start"
        )

    def restart(self):
        # -l : sans journal, le nouveau serveur garderait la sortie de pg_ctl ouverte (et l'attente ne finirait pas).
        data, logfile = str(self.dir / "data"), str(self.dir / "log")
        self._run("pg_ctl", "-D", data, "-l", logfile, "-w", "-m", "fast", "-o", self._options(), "restart")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-w", "-m", "immediate", "stop", check=False)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/drill"


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Service:
    """Un processus du service (web ou worker), relancé à la demande comme le ferait le PaaS."""

    def __init__(self, name: str, command: list[str], env: dict, logfile: Path):
        self.name, self.command, self.env, self.logfile = name, command, env, logfile
        self.process = None

    def start(self):
        with self.logfile.open("a") as out:
            self.process = subprocess.Popen(self.command, cwd=BASE_DIR, env=self.env, stdout=out, stderr=out)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


# --- Charge ----------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """Ce que le service a confirmé à la charge, et ses échecs, datés."""

    signups: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    requests: int = 0
    server_errors: list = field(default_factory=list)  # (instant, code, chemin)
    connection_errors: list = field(default_factory=list)  # (instant, erreur)
    lock: threading.Lock = field(default_factory=threading.Lock)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoadUser:
    def __init__(self, ports, ledger: Ledger, ip: str, session: str | None = None):
        import httpx

        self.ports, self.ledger, self.ip = ports, ledger, ip
        self.client = httpx.Client(timeout=15, follow_redirects=False, headers={"X-Forwarded-For": ip})
        if session:
            self.client.cookies.set("sessionid", session, domain="127.0.0.1")

    def url(self, path):
        return f"http://127.0.0.1:{random.choice(self.ports)}{path}"

    def request(self, method, path, **kwargs):
        import httpx

        with self.ledger.lock:
            self.ledger.requests += 1
        started = time.time()  # les échecs sont datés du début de la requête
        try:
            response = self.client.request(method, self.url(path), **kwargs)
        except httpx.HTTPError as error:
            with self.ledger.lock:
                self.ledger.connection_errors.append((started, type(error).__name__))
            return None
        if response.status_code >= 500:
            with self.ledger.lock:
                self.ledger.server_errors.append((started, time.time(), response.status_code, path))
            return None
        return response

    def post_form(self, path, data):
        page = self.request("GET", path)
        if page is None or page.status_code != 200:
            return None
        token = CSRF.search(page.text)
        if token is None:
            return None
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token.group(1)})


def load(ports, ledger, stop: threading.Event, world: dict, worker_number: int):
    rng = random.Random(worker_number)
    anonymous = LoadUser(ports, ledger, f"10.{worker_number}.0.1")
    employer = LoadUser(ports, ledger, f"10.{worker_number}.0.2", session=world["employer_session"])
    answers = list(world["answers"][worker_number :: world["load_threads"]])
    n = 0
    while not stop.is_set():
        n += 1
        action = rng.choice(["signup", "signup", "offer", "answer", "answer"])
        if action == "signup":
            email = f"charge{worker_number}-{n}@example.org"
            response = anonymous.post_form(
                "/candidat/inscription",
                {"email": email, "first_name": "Charge", "last_name": f"N{n}", "birth_date": "2007-05-14"},
            )
            if response is not None and response.status_code == 302 and "verifiez" in response.headers["location"]:
                with ledger.lock:
                    ledger.signups.append(email)
            anonymous.client.cookies.clear()
        elif action == "offer":
            response = employer.post_form(
                "/employeur/offres/nouvelle",
                {
                    "company": world["company"],
                    "trade": world["load_trade"],
                    "levels": ["3"],
                    "contract_types": ["apprentissage"],
                    "start_asap": "on",
                    "positions": "1",
                    "commune": world["commune"],
                    "description": f"Offre de la charge {worker_number}-{n}",
                    "working_hours": "Du lundi au vendredi",
                },
            )
            location = response.headers.get("location", "") if response is not None else ""
            found = re.search(r"/employeur/offres/(\d+)/en-ligne", location)
            if found:
                with ledger.lock:
                    ledger.offers.append(int(found.group(1)))
        elif answers:
            match_id, session = answers.pop()
            candidate = LoadUser(ports, ledger, f"10.{worker_number}.1.{n % 250}", session=session)
            home = candidate.request("GET", "/candidat/")
            token = CSRF.search(home.text) if home is not None and home.status_code == 200 else None
            if token:
                response = candidate.request(
                    "POST",
                    f"/candidat/mises-en-relation/{match_id}/reponse",
                    data={"interested": "oui", "csrfmiddlewaretoken": token.group(1)},
                )
                if response is not None and response.status_code == 302:
                    with ledger.lock:
                        ledger.answers.append(match_id)
                else:
                    answers.insert(0, (match_id, session))
            else:
                answers.insert(0, (match_id, session))
            candidate.client.close()
        stop.wait(rng.uniform(0.05, 0.3))


# --- Exercice --------------------------------------------------------------------------------------


class Drill:
    def __init__(self, plan: Plan, root: Path):
        self.plan, self.root = plan, root
        self.postgres = Postgres(root)
        self.redis = Redis()
        self.smtp = None
        self.webs: list[Service] = []
        self.workers: list[Service] = []
        self.ledger = Ledger()
        self.figures: dict = {}
        self.windows: dict = {}
        self.supervision = threading.Lock()
        self.stopping = threading.Event()

    def supervise(self):
        """Comme le PaaS : un processus qui s'arrête de lui-même est relancé (compté)."""
        while not self.stopping.wait(0.5):
            with self.supervision:
                for service in self.webs + self.workers:
                    if service.process is not None and service.process.poll() is not None:
                        self.figures["processes_restarted_by_supervisor"] = (
                            self.figures.get("processes_restarted_by_supervisor", 0) + 1
                        )
                        log(f"{service.name} s'est arrêté (code {service.process.returncode}) : relancé")
                        service.start()

    def env(self) -> dict:
        return {
            **os.environ,
            "DEBUG": "0",
            # Fichiers statiques lus dans les applications : l'exercice porte sur les pannes, pas sur collectstatic.
            "STATIC_MANIFEST": "0",
            "SECRET_KEY": "exercice-de-pannes",
            "TOTP_ENCRYPTION_KEY": "ZXhlcmNpY2UtZGUtcGFubmVzLWNsZS10b3RwLTMyb2M=",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "http://127.0.0.1",
            "SECURE_COOKIES": "0",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            "EMAIL_USE_TLS": "0",
            # Le délai SMTP de la production : le serveur SMTP de l'exercice partage son processus avec la charge et
            # peut répondre « 250 » tard ; avec un délai plus court, le client réessaierait un e-mail déjà accepté.
            "EMAIL_TIMEOUT": "20",
            "OUTBOX_RETRY_SECONDS": "5",
            "OUTBOX_SWEEP_SECONDS": "5",
            # Plus long que le délai SMTP (voir config/settings.py) : un envoi en cours n'est jamais repris.
            "OUTBOX_STALE_CLAIM_SECONDS": "60",
            "OUTBOX_PAUSE_MAX_SECONDS": "20",
            "WORKER_DEAD_SECONDS": "15",
            "RATELIMIT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
            "LOG_LEVEL": "WARNING",
        }

    # Préparation

    def start_services(self):
        from tests.smtpserver import SmtpServer

        log(f"PostgreSQL ({PG_BIN}) sur le port {self.postgres.port}")
        self.postgres.init()
        self.redis.start()
        log(f"Redis sur le port {self.redis.port}")
        self.smtp = SmtpServer(port=free_port()).start()
        log(f"Serveur SMTP sur le port {self.smtp.port}")
        os.environ.update(self.env())  # l'exercice lit la même base que le service
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    def seed(self):
        import django

        django.setup()
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.core.management import call_command

        from matching import search
        from matching.models import Match
        from notifications.models import OutboxEmail
        from tests.matching.factories import CandidateProfileFactory, TradeFactory, commune_at
        from tests.matching.test_worker_kill import seed_alerts

        log("Migrations et données")
        call_command("migrate", verbosity=0)
        seed_alerts()  # une offre et 500 profils proches : 1 000 alertes écrites dans l'outbox
        alerts = OutboxEmail.objects.count()
        assert alerts == self.plan.alerts, alerts

        def session_for(user):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            return store.session_key

        match = Match.objects.select_related("offer__company", "offer__commune").first()
        offer = match.offer
        employer = offer.company.members.get()
        # Un autre métier pour les offres de la charge : 20 candidat·es à alerter par offre.
        load_trade = TradeFactory(code="coiffeur")
        self.bounce_address = "refusee@example.org"
        for n in range(20):
            CandidateProfileFactory(
                trades=[load_trade],
                commune=commune_at(3 + n / 10),
                level="3",
                user__email=self.bounce_address if n == 0 else f"coiffure{n}@example.org",
            )
        search.candidate_index_rebuild()
        load_threads = 3
        answers = [
            (m.pk, session_for(m.candidate.user))
            for m in Match.objects.select_related("candidate__user").order_by("pk")[:150]
        ]
        self.world = {
            "employer_session": session_for(employer),
            "company": offer.company_id,
            "commune": offer.commune.code,
            "load_trade": load_trade.pk,
            "answers": answers,
            "load_threads": load_threads,
        }
        from django.db import connections

        connections.close_all()

    def start_app(self):
        env = self.env()
        for n in range(2):
            port = free_port()
            self.webs.append(
                Service(
                    f"web{n + 1}",
                    [
                        PYTHON,
                        "-m",
                        "gunicorn",
                        "config.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                        "--timeout",
                        "30",
                        "--graceful-timeout",
                        "5",
                    ],
                    env,
                    self.root / f"web{n + 1}.log",
                )
            )
            self.webs[-1].port = port
        for n in range(2):
            self.workers.append(
                Service(
                    f"worker{n + 1}",
                    [PYTHON, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay"],
                    env,
                    self.root / f"worker{n + 1}.log",
                )
            )
        for service in self.webs + self.workers:
            service.start()
        for web in self.webs:
            wait_port(web.port)
        threading.Thread(target=self.supervise, daemon=True).start()
        log("Deux processus web (gunicorn) et deux workers démarrés")

    # Pannes

    def kill_a_worker(self, rng):
        """SIGKILL à un moment tiré au hasard, hors de la fenêtre « accepté par SMTP, pas encore noté »."""
        from django.db import close_old_connections
        from django.utils import timezone

        from notifications.delivery import message_id
        from notifications.models import OutboxEmail

        worker = rng.choice(self.workers)
        deferred = 0
        while deferred < 100:  # au-delà, on tue quand même (compté : un doublon possible)
            worker.process.send_signal(signal.SIGSTOP)
            try:
                recent = timezone.now() - datetime.timedelta(seconds=10)  # pas un envoi resté « en cours »
                claimed = OutboxEmail.objects.filter(status="envoi", claimed_at__gte=recent)
                in_flight = list(claimed.values_list("key", flat=True))
            except Exception:  # base en redémarrage : on ne sait pas, on laisse avancer
                close_old_connections()
                in_flight = None
            if in_flight is not None and not {message_id(k) for k in in_flight} & set(self.smtp.message_ids()):
                break
            deferred += 1
            worker.process.send_signal(signal.SIGCONT)
            time.sleep(0.005)
        else:
            self.figures["kills_in_window"] = self.figures.get("kills_in_window", 0) + 1
        with self.supervision:
            worker.process.send_signal(signal.SIGKILL)
            worker.process.wait()
            self.figures["worker_kills"] = self.figures.get("worker_kills", 0) + 1
            self.figures["kills_deferred"] = self.figures.get("kills_deferred", 0) + deferred
            time.sleep(1)  # le PaaS relance le processus
            worker.start()

    def restart_postgres(self):
        started = time.time()
        self.postgres.restart()
        self.windows["postgres"] = (started, time.time())
        log(f"PostgreSQL redémarré en {time.time() - started:.1f} s")

    def stop_redis(self):
        started = time.time()
        self.redis.stop()
        log(f"Redis arrêté pour {self.plan.redis_down:.0f} s")
        time.sleep(self.plan.redis_down)
        self.redis.start()
        self.windows["redis"] = (started, time.time())
        log("Redis relancé")

    def smtp_refuses(self):
        from notifications.delivery import SERVER_PAUSE_AFTER

        before = self.outbox_pending()
        started = time.time()
        self.smtp.refuse_all = (451, "4.3.2 Service momentanément indisponible")
        log(f"Serveur SMTP : 451 pour tout le monde pendant {self.plan.smtp_4xx:.0f} s")
        time.sleep(self.plan.smtp_4xx)
        # La panne doit toucher des envois (au moins une pause du serveur) : si les workers redémarraient tous ou
        # étaient pris par d'autres tâches (machine chargée), elle dure un peu plus, trois minutes au plus.
        deadline = time.monotonic() + max(3 * self.plan.smtp_4xx, 180)
        while self.smtp.refusals.get(451, 0) < SERVER_PAUSE_AFTER and time.monotonic() < deadline:
            time.sleep(1)
        self.smtp.refuse_all = None
        self.smtp.refuse[self.bounce_address] = (550, "5.1.1 Boîte aux lettres inconnue")
        self.windows["smtp_4xx"] = (started, time.time())
        log("Serveur SMTP : de nouveau ouvert ; 550 pour une adresse")
        # Suivi à part : la charge et les autres pannes continuent pendant ce temps.
        threading.Thread(target=self.watch_backlog, args=(before,), daemon=True).start()

    def outbox_pending(self) -> int | None:
        from django.db import close_old_connections

        from notifications.enums import OutboxStatus
        from notifications.models import OutboxEmail

        try:
            close_old_connections()
            return OutboxEmail.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()
        except Exception:  # (base en redémarrage : on ne sait pas)
            return None

    def watch_backlog(self, steady: int | None):
        """Après le refus 4xx : l'arriéré accumulé, le débit d'envoi (e-mails acceptés par seconde pendant les
        30 premières secondes, ou jusqu'au retour à la normale) et le temps pour revenir au niveau d'avant la
        panne (la charge continue d'écrire des e-mails)."""
        from django.db import connection

        backlog = self.outbox_pending()
        threshold = max(50, steady or 0)
        received, started = len(self.smtp.messages), time.monotonic()
        rate = back = None
        while time.monotonic() - started < self.plan.drain_timeout and not self.stopping.is_set():
            pending = self.outbox_pending()
            elapsed = time.monotonic() - started
            if pending is not None and pending <= threshold:
                back = round(elapsed)
            if rate is None and (elapsed >= 30 or back is not None):
                rate = round((len(self.smtp.messages) - received) / max(elapsed, 1), 1)
            if back is not None:
                break
            time.sleep(1)
        self.figures.update(
            smtp_backlog_before_4xx=steady,
            smtp_backlog_at_recovery=backlog,
            emails_per_second_after_recovery=rate,
            smtp_backlog_back_to_normal_seconds=back,
        )
        log(
            f"Arriéré de l'outbox après le 4xx : {backlog} e-mail(s) ; {rate} e-mails/s ; revenu à {threshold} ou "
            f"moins en {back} s"
        )
        connection.close()

    def kill_a_web_process(self):
        web = self.webs[0]
        workers = children(web.process.pid)
        started = time.time()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        self.wait_healthy(web)  # le port du maître accepte toujours : on attend une vraie réponse
        self.windows["web_kill"] = (started, time.time())
        log(f"Processus web tué (SIGKILL, {len(workers)} processus) pendant la charge ; gunicorn le relance")

    def wait_healthy(self, web, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{web.port}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{web.name} ne répond plus")

    def wait_ready(self):
        """Le service est prêt : les deux web répondent et un premier e-mail est parti (workers démarrés)."""
        for web in self.webs:
            self.wait_healthy(web)
        deadline = time.monotonic() + 300
        while not self.smtp.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        log("Service prêt : les web répondent, les workers envoient")

    def run_faults(self, stop_load: threading.Event):
        rng = random.Random(os.environ.get("DRILL_SEED", "1"))
        span = self.plan.load_seconds
        start = time.monotonic()
        kill_times = sorted(rng.uniform(2, span - 5) for _ in range(self.plan.worker_kills))
        events = [(t, "worker") for t in kill_times] + [
            (span * 0.15, "postgres"),
            (span * 0.25, "web"),
            (span * 0.3, "redis"),
            (span * 0.45, "smtp"),
        ]
        threads = []
        for at, kind in sorted(events):
            time.sleep(max(0, at - (time.monotonic() - start)))
            if kind == "worker":
                self.kill_a_worker(rng)
            elif kind == "postgres":
                self.restart_postgres()
            elif kind == "web":
                self.kill_a_web_process()
            else:
                thread = threading.Thread(target=getattr(self, {"redis": "stop_redis", "smtp": "smtp_refuses"}[kind]))
                thread.start()
                threads.append(thread)
        log(f"{self.figures.get('worker_kills', 0)} workers tués et relancés")
        for thread in threads:
            thread.join()
        time.sleep(max(0, span - (time.monotonic() - start)))
        stop_load.set()

    # Bilan

    def wait_for_drain(self):
        """Attend que le travail confié au service soit fini : plus aucune tâche de fond en file ou en cours
        (inscriptions, recalculs, envois ; les tâches périodiques exceptées, qui reviennent sans cesse) et
        plus aucun e-mail à envoyer. Au plus `drain_timeout` secondes ; affiche l'avancement."""
        from django.conf import settings
        from django.db import close_old_connections
        from django.db.models import Count
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from notifications.enums import OutboxStatus
        from notifications.models import OutboxEmail

        log(f"Attente : file des tâches et outbox vides, {self.plan.drain_timeout:.0f} s au plus")
        started = time.monotonic()
        deadline = started + self.plan.drain_timeout
        last_report = 0.0
        while time.monotonic() < deadline:
            try:
                close_old_connections()
                pending = OutboxEmail.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()
                queued = dict(
                    DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
                    .exclude(task_path__in=list(settings.PERIODIC_TASKS))
                    .values_list("task_path")
                    .annotate(n=Count("pk"))
                )
            except Exception as error:  # (la base peut encore redémarrer : on réessaie)
                log(f"Attente : base indisponible ({type(error).__name__})")
                time.sleep(1)
                continue
            if pending == 0 and not queued:
                self.figures["drain_seconds"] = round(time.monotonic() - started)
                log(f"Tâches et outbox vides en {self.figures['drain_seconds']} s")
                return True
            if time.monotonic() - last_report >= 15:
                last_report = time.monotonic()
                tasks = ", ".join(f"{path.rsplit('.', 1)[-1]} {n}" for path, n in sorted(queued.items())) or "aucune"
                log(f"Attente : {pending} e-mail(s) à envoyer ; tâches en file : {tasks}")
            time.sleep(1)
        self.figures["drain_seconds"] = f"plus de {self.plan.drain_timeout:.0f}"
        return False

    def failed_tasks(self) -> dict:
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        counts = {}
        for path, exception in failed.values_list("task_path", "exception_class_path"):
            key = f"{path} ({exception.rsplit('.', 1)[-1]})"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def lost_signups(self, confirmed: list[str]) -> list[str]:
        """Ce qu'est devenue la tâche de chaque inscription confirmée sans compte à la fin."""
        from django_tasks_db.models import DBTaskResult

        from accounts.models import User

        missing = set(confirmed) - set(User.objects.filter(email__in=confirmed).values_list("email", flat=True))
        tasks = DBTaskResult.objects.filter(task_path="candidates.tasks.candidate_signup")
        fates = {}
        for args, status, exception in tasks.values_list("args_kwargs", "status", "exception_class_path"):
            if args["kwargs"].get("email") in missing:
                missing.discard(args["kwargs"]["email"])
                fate = f"tâche {status} {exception.rsplit('.', 1)[-1]}".strip()
                fates[fate] = fates.get(fate, 0) + 1
        if missing:
            fates["aucune tâche en file"] = len(missing)
        return [f"inscriptions confirmées sans compte : {fates}"]

    def check(self) -> list[str]:
        import httpx
        from django.conf import settings
        from django.db import close_old_connections

        from accounts.models import User
        from matching import search
        from matching.models import Match
        from notifications.delivery import message_id
        from notifications.enums import OutboxStatus
        from notifications.models import OutboxEmail, UndeliverableAddress
        from offers.models import Offer

        close_old_connections()
        problems = []
        ledger = self.ledger

        # E-mails : une fois chacun, comptés par Message-ID sur le serveur SMTP.
        received = self.smtp.message_ids()
        emails = list(OutboxEmail.objects.values_list("key", "to", "status"))
        expected = {message_id(key) for key, to, _ in emails if to != self.bounce_address}
        duplicates = len(received) - len(set(received))
        missing = expected - set(received)
        statuses = {}
        for _, _to, status in emails:
            statuses[status] = statuses.get(status, 0) + 1
        self.figures.update(
            emails_written=len(emails),
            emails_received=len(received),
            emails_duplicated=duplicates,
            emails_missing=len(missing),
            smtp_refusals=dict(self.smtp.refusals),
            outbox_statuses=statuses,
        )
        if duplicates:
            problems.append(f"{duplicates} e-mail(s) reçu(s) deux fois")
        if missing:
            problems.append(f"{len(missing)} e-mail(s) jamais arrivé(s)")
        if not self.smtp.refusals.get(451):
            problems.append("le refus 4xx n'a visé aucun envoi : la panne SMTP n'a rien exercé")
        if not UndeliverableAddress.objects.filter(email=self.bounce_address).exists():
            problems.append("l'adresse refusée (550) n'est pas notée")
        # Avant le 550, l'adresse recevait normalement (une machine peu chargée envoie tout de suite) : seuls
        # comptent les e-mails partis après, ou encore en attente.
        refused_since = datetime.datetime.fromtimestamp(self.windows["smtp_4xx"][1], datetime.UTC)
        refused = OutboxEmail.objects.filter(to=self.bounce_address)
        late = refused.filter(status=OutboxStatus.PENDING) | refused.filter(
            status=OutboxStatus.SENT, sent_at__gte=refused_since
        )
        if late.exists():
            problems.append("un e-mail vers l'adresse refusée est parti ou attend encore")

        # Rien de ce que la charge a vu confirmé n'est perdu.
        signups = User.objects.filter(email__in=ledger.signups).count()
        offers = Offer.objects.filter(pk__in=ledger.offers).count()
        answered = Match.objects.filter(pk__in=ledger.answers, candidate_answered_at__isnull=False).count()
        pairs_missing = 0
        pairs = 0
        for offer in Offer.objects.filter(pk__in=ledger.offers).select_related("trade"):
            expected_pairs = set(search.offer_candidate_pool(search.offer_facts(offer)))
            stored = set(Match.objects.filter(offer=offer, is_active=True).values_list("candidate_id", flat=True))
            pairs += len(expected_pairs)
            pairs_missing += len(expected_pairs - stored)
        self.figures.update(
            signups_confirmed=len(ledger.signups),
            signups_found=signups,
            offers_confirmed=len(ledger.offers),
            offers_found=offers,
            answers_confirmed=len(ledger.answers),
            answers_found=answered,
            pairs_expected=pairs,
            pairs_missing=pairs_missing,
        )
        for what, confirmed, found in [
            ("inscription", len(ledger.signups), signups),
            ("offre", len(ledger.offers), offers),
            ("réponse", len(ledger.answers), answered),
        ]:
            if found != confirmed:
                problems.append(f"{confirmed - found} {what}(s) confirmée(s) puis perdue(s)")
        if signups != len(ledger.signups):
            problems.extend(self.lost_signups(ledger.signups))
        if pairs_missing:
            problems.append(f"{pairs_missing} paire(s) jamais calculée(s)")
        # Une tâche de fond en échec est du travail perdu (les tâches périodiques reviennent d'elles-mêmes).
        failed = self.failed_tasks()
        self.figures["tasks_failed"] = failed
        lost = {path: n for path, n in failed.items() if path.split(" ")[0] not in settings.PERIODIC_TASKS}
        if lost:
            problems.append(f"tâches de fond en échec, jamais refaites : {lost}")
        if not (ledger.signups and ledger.offers and ledger.answers):
            problems.append("la charge n'a pas tout exercé (inscriptions, offres, réponses)")

        # Les 5xx : seulement pendant le redémarrage de PostgreSQL.
        pg_start, pg_end = self.windows["postgres"]
        # Une requête en cours pendant le redémarrage (début avant, fin pendant) compte dans ses secondes.
        outside = [e for e in ledger.server_errors if not (e[0] <= pg_end + 5 and e[1] >= pg_start - 1)]
        web_start, web_end = self.windows["web_kill"]
        cut_outside = [e for e in ledger.connection_errors if not (web_start - 1 <= e[0] <= web_end + 2)]
        self.figures.update(
            requests=ledger.requests,
            http_5xx=len(ledger.server_errors),
            http_5xx_outside_postgres_restart=len(outside),
            postgres_restart_seconds=round(pg_end - pg_start, 1),
            connections_cut=len(ledger.connection_errors),
            connections_cut_outside_web_kill=len(cut_outside),
        )
        if outside:
            problems.append(f"{len(outside)} réponse(s) 5xx hors du redémarrage de PostgreSQL : {outside[:3]}")
        if cut_outside:
            problems.append(f"{len(cut_outside)} connexion(s) coupée(s) hors de l'arrêt du web : {cut_outside[:3]}")

        # Revenu à la normale, sans intervention.
        for web in self.webs:
            health = httpx.get(f"http://127.0.0.1:{web.port}/healthz", timeout=10)
            if health.status_code != 200 or health.json().get("worker") != "ok":
                problems.append(f"{web.name} : /healthz répond {health.status_code} {health.text[:100]}")
        return problems

    def stop_everything(self):
        """Éteint tout ce que l'exercice a lancé, même si une étape échoue."""
        self.stopping.set()
        steps = [service.stop for service in self.webs + self.workers] + [self.redis.stop, self.postgres.stop]
        if self.smtp:
            steps.append(self.smtp.stop)
        for step in steps:
            try:
                step()
            except Exception as error:  # on continue : le reste doit s'arrêter aussi
                log(f"Arrêt incomplet : {type(error).__name__}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Exercice de pannes (voir le début du fichier).")
    parser.add_argument("--short", action="store_true", help="durées réduites (CI, environ 5 minutes)")
    parser.add_argument("--keep", action="store_true", help="garder le dossier temporaire (journaux)")
    parser.add_argument(
        "--ports",
        default=os.environ.get("DRILL_PORTS", ""),
        help="plage de ports des services lancés, par exemple 9300-9399 (défaut : DRILL_PORTS, sinon ports libres)",
    )
    options = parser.parse_args()
    if options.ports:
        PORT_RANGE[:] = port_range(options.ports)
    plan = Plan.short() if options.short else Plan.full()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # arrêté : on éteint quand même tout ce qu'on a lancé
    root = Path(tempfile.mkdtemp(prefix="drill-"))
    os.chmod(root, 0o755)  # noqa: S103 (l'utilisateur postgres doit pouvoir y entrer)
    drill = Drill(plan, root)
    started = time.monotonic()
    try:
        drill.start_services()
        drill.seed()
        drill.start_app()
        drill.wait_ready()
        stop_load = threading.Event()
        loaders = [
            threading.Thread(target=load, args=([w.port for w in drill.webs], drill.ledger, stop_load, drill.world, n))
            for n in range(drill.world["load_threads"])
        ]
        for thread in loaders:
            thread.start()
        log(f"Charge lancée pour {plan.load_seconds:.0f} s ; pannes en cours")
        try:
            drill.run_faults(stop_load)
        finally:
            stop_load.set()
            for thread in loaders:
                thread.join()
        log("Charge arrêtée ; attente de la fin des envois")
        drained = drill.wait_for_drain()
        problems = drill.check()
        if not drained:
            problems.insert(0, f"l'outbox ou les recalculs ne se vident pas en {plan.drain_timeout:.0f} s")
    finally:
        drill.stop_everything()
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"Journaux dans {root}")
    drill.figures["total_seconds"] = round(time.monotonic() - started)
    print("\nChiffres de l'exercice :")
    for key, value in drill.figures.items():
        print(f"  {key} : {value}")
    if problems:
        print("\nÉCHEC :")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nExercice réussi : rien de perdu, rien de doublé, service revenu seul.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
