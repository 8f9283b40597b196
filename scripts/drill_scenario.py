"""Exercice de pannes : la préparation (services, données, web et workers) et les pannes, pendant la charge.

Chargé après `django.setup()` (voir scripts/drill.py) : l'exercice lit la même base que le service.
"""

import datetime
import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from matching import indexes
from matching.models import Match
from notifications.delivery import SERVER_PAUSE_AFTER, message_id
from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail
from scripts.drill_load import Ledger
from scripts.drill_processes import (
    PG_BIN,
    PYTHON,
    Plan,
    Ports,
    Postgres,
    Redis,
    Service,
    children,
    free_port,
    log,
    service_env,
    wait_port,
)
from tests.matching.factories import CandidateProfileFactory, TradeFactory, commune_at
from tests.matching.test_worker_kill import seed_alerts
from tests.smtpserver import SmtpServer


class Drill:
    def __init__(self, plan: Plan, root: Path, ports: Ports):
        self.plan, self.root, self.ports = plan, root, ports
        self.postgres = Postgres(root, ports.postgres)
        self.redis = Redis(ports.redis)
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

    # Préparation

    def start_services(self):
        log(f"PostgreSQL ({PG_BIN}) sur le port {self.postgres.port}")
        self.postgres.init()
        self.redis.start()
        log(f"Redis sur le port {self.redis.port}")
        self.smtp = SmtpServer(port=self.ports.smtp).start()
        log(f"Serveur SMTP sur le port {self.smtp.port}")

    def seed(self):
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
        indexes.candidate_index_rebuild()
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
        connections.close_all()

    def start_app(self):
        env = service_env(self.ports)
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
        try:
            close_old_connections()
            return OutboxEmail.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()
        except Exception:  # (base en redémarrage : on ne sait pas)
            return None

    def watch_backlog(self, steady: int | None):
        """Après le refus 4xx : l'arriéré accumulé, le débit d'envoi (e-mails acceptés par seconde pendant les
        30 premières secondes, ou jusqu'au retour à la normale) et le temps pour revenir au niveau d'avant la
        panne (la charge continue d'écrire des e-mails)."""
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
