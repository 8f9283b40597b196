"""Banc web : ses serveurs (gunicorn, nginx), leurs ports, leurs réglages et la mesure d'une page avec wrk.

Voir benchmarks/web.py, qui les démarre et affiche les chiffres.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cestmachance_bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SECRET_KEY = "benchmark-only-secret-key"
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": SECRET_KEY,
    "TOTP_ENCRYPTION_KEY": "YmVuY2htYXJrLW9ubHktdG90cC1rZXktMzItYnl0ZXM=",
    "SECURE_COOKIES": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": REDIS_URL,
    "LOG_LEVEL": "WARNING",
}

# Réglages du serveur du banc : ceux de la production, limites de débit multipliées (comptées, jamais atteintes).
BENCH_SETTINGS = '''"""Réglages du banc de charge : ceux de config.settings, limites de débit hors d'atteinte."""

from config.settings import *  # noqa: F403

RATE_LIMITS = {name: (limit * 1_000_000, period) for name, (limit, period) in RATE_LIMITS.items()}  # noqa: F405
API_ANONYMOUS_RATE = API_PARTNER_RATE = 1_000_000_000
'''

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/client;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {dir}/www;
    location = / {{ try_files /index.html =404; }}
  }}
}}
"""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Ports des serveurs du banc : un port libre quelconque, ou le premier libre d'une plage (`--ports 9200-9299`).
PORTS: list[int] = []


def free_port() -> int:
    for port in PORTS or [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port not in USED_PORTS:
                USED_PORTS.add(sock.getsockname()[1])
                return sock.getsockname()[1]
    sys.exit(f"Aucun port libre dans la plage {PORTS[0]}-{PORTS[-1]}.")


USED_PORTS: set[int] = set()


def get(port: int, page: dict) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
    headers = {"Cookie": page["cookie"]} if page.get("cookie") else {}
    connection.request("GET", page["path"], headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def wait_for(port: int, process: subprocess.Popen, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} s'est arrêté au démarrage (code {process.returncode}).")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{what} ne répond pas sur le port {port}.")


class Servers:
    """Les processus démarrés par le banc (arrêtés à la fin, même sur une erreur)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.pids: dict[int, int] = {}  # port -> processus maître

    def gunicorn(self, tree: Path, name: str, workers: int) -> int:
        port = free_port()
        settings_dir = self.workdir / f"settings-{name}"
        settings_dir.mkdir()
        (settings_dir / "bench_settings.py").write_text(BENCH_SETTINGS)
        env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": "bench_settings"}
        env["PYTHONPATH"] = f"{settings_dir}:{tree}"
        # Fichiers statiques à noms hachés, comme en production (`make serve`) : collectstatic dans l'arbre servi.
        log(f"collectstatic ({name})…")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=tree, env=env, check=True
        )
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        log_file = open(self.workdir / f"gunicorn-{name}.log", "wb")  # noqa: SIM115 (fermé avec le processus)
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=log_file, stderr=log_file)
        self.processes.append(process)
        wait_for(port, process, f"gunicorn ({name})")
        self.pids[port] = process.pid
        return port

    def code_under_test(self, baseline: str | None, workers: int) -> dict[str, int]:
        """Le port de gunicorn pour le code de l'arbre de travail (« actuel ») et, avec `baseline`, aussi pour
        cette révision, extraite par `git archive` (« avant » et « après »), dans cet ordre."""
        trees = {}
        if baseline:
            directory = self.workdir / "baseline"
            directory.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(directory)], input=archive.stdout, check=True)
            trees["avant"] = directory
        trees["après" if baseline else "actuel"] = ROOT
        return {name: self.gunicorn(tree, name.replace("è", "e"), workers) for name, tree in trees.items()}

    def nginx(self, home_html: bytes) -> int:
        port = free_port()
        directory = self.workdir / "nginx"
        (directory / "www").mkdir(parents=True)
        (directory / "www" / "index.html").write_bytes(home_html)
        (directory / "nginx.conf").write_text(NGINX_CONF.format(dir=directory, port=port))
        command = [
            shutil.which("nginx") or "/usr/sbin/nginx",
            "-p",
            str(directory),
            "-c",
            str(directory / "nginx.conf"),
        ]
        process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        self.processes.append(process)
        wait_for(port, process, "nginx")
        self.pids[port] = process.pid
        return port

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """Temps CPU (utilisateur + système) consommé par un processus et par ses enfants terminés, en secondes ; 0
    s'il n'existe plus. Les enfants comptent : gunicorn remplace un worker toutes les `max_requests` requêtes, et
    le temps du worker remplacé passe à son maître."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def server_cpu(master_pid: int, *, database: bool) -> tuple[dict[int, float], dict[int, float]]:
    """CPU des processus du serveur (maître et workers) et des connexions PostgreSQL à la base du banc.

    Ce temps ne dépend presque pas de la charge des autres processus de la machine, au contraire des débits.
    """
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        children = []
    python = {pid: process_cpu(pid) for pid in [master_pid, *map(int, children)]}
    backends = {}
    if database:
        with connection.cursor() as cursor:
            sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            cursor.execute(sql)
            backends = {pid: process_cpu(pid) for (pid,) in cursor.fetchall()}
    return python, backends


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """Le CPU consommé entre les deux relevés par les processus encore là au second."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def wrk(port: int, page: dict, *, clients: int, seconds: int, lua: Path, pid: int, database: bool = True) -> dict:
    threads = min(clients, 2)
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "2s", "-s", str(lua)]
    if page.get("cookie"):
        command += ["-H", f"Cookie: {page['cookie']}"]
    cpu_before = server_cpu(pid, database=database)
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{page['path']}"], capture_output=True, text=True, check=True
    ).stdout
    cpu_after = server_cpu(pid, database=database)
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "errors": errors,
        "requests": raw["requests"],
        # Totaux : un worker remplacé pendant la mesure a passé son temps à son maître (process_cpu).
        "cpu_python_ms": 1000 * (sum(cpu_after[0].values()) - sum(cpu_before[0].values())) / max(raw["requests"], 1),
        "cpu_database_ms": 1000 * cpu_delta(cpu_before[1], cpu_after[1]) / max(raw["requests"], 1),
    }
