"""Exercice de pannes : les services qu'il lance (PostgreSQL, Redis, web, workers), leurs ports et son plan.

Rien ici ne charge Django : les ports sont choisis avant, puisque les réglages du service en dépendent.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
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


@dataclass
class Ports:
    """Les ports de PostgreSQL, de Redis et du serveur SMTP, choisis avant de charger Django."""

    postgres: int
    redis: int
    smtp: int

    @classmethod
    def choose(cls):
        return cls(postgres=free_port(), redis=free_port(), smtp=free_port())


def service_env(ports: Ports) -> dict:
    """L'environnement du service (web et workers), que l'exercice prend aussi pour lire la même base."""
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
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{ports.postgres}/drill",
        "REDIS_URL": f"redis://127.0.0.1:{ports.redis}/0",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(ports.smtp),
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


# --- Services ---------------------------------------------------------------------------------------


class Postgres:
    """Un cluster PostgreSQL à soi, dans un dossier temporaire (utilisateur postgres si l'on est root)."""

    def __init__(self, root: Path, port: int):
        self.dir = root / "pg"
        self.port = port
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
    def __init__(self, port: int):
        self.port = port
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
