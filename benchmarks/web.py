"""Mesures du site web en charge (script, pas un test) : `make bench-web`.

    .venv/bin/python benchmarks/web.py --candidates 100000 [--baseline RÉVISION]

Prépare une base PostgreSQL à elle (`cestmachance_bench` par défaut, `BENCH_DATABASE_URL` pour une autre) :
migrate, `import_geo`, `import_trades`, `seed_demo --reset --candidates N` (la base est reprise telle quelle
si elle a déjà N profils de démonstration), `refresh_stats`. Crée une session pour le ou la candidat·e et
pour l'employeur de démonstration, démarre le serveur de production (gunicorn, 4 workers, DEBUG=0, cache
Redis) et, dans le même passage, nginx qui sert une copie statique de la page d'accueil (configuration dans
un dossier temporaire, port libre). Puis mesure chaque page avec wrk, à 1 client puis à 50 clients :
requêtes par seconde, p50, p95, p99, erreurs, la part du débit de nginx, et le temps CPU par requête des
workers gunicorn et de PostgreSQL (lu dans /proc : peu sensible à la charge des autres processus).

`--baseline RÉVISION` démarre aussi le code d'une autre révision (extrait par `git archive`) sur la même base
et mesure les deux l'un après l'autre, page par page : l'avant et l'après dans le même passage, sur une
machine partagée dont la charge varie.

Les limites de débit (par adresse IP) se déclencheraient : tout vient d'une seule adresse. Le serveur du banc
tourne avec un module de réglages qui reprend `config.settings` et multiplie ces limites (elles sont
toujours comptées dans Redis, comme en production, mais ne se déclenchent pas).
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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
os.environ.update({key: value for key, value in SERVER_ENV.items() if key != "DEBUG"})
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")

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
PORTS: range | None = None


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
    sys.exit(f"Aucun port libre dans la plage {PORTS.start}-{PORTS.stop - 1}.")


USED_PORTS: set[int] = set()


def ensure_database():
    """Crée la base du banc si elle n'existe pas (PostgreSQL seulement)."""
    import psycopg
    from django.db import connections

    settings = connections.databases["default"]
    if "postgresql" not in settings["ENGINE"]:
        sys.exit("Le banc web mesure la production : BENCH_DATABASE_URL doit désigner une base PostgreSQL.")
    params = {"host": settings["HOST"], "port": settings["PORT"] or 5432, "user": settings["USER"]}
    if settings["PASSWORD"]:
        params["password"] = settings["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            log(f"création de la base {settings['NAME']}…")
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def prepare(candidates: int):
    from django.core.management import call_command

    from candidates.models import CandidateProfile
    from demo.services import DEMO_DOMAIN
    from geo.models import Commune
    from stats.models import Refresh
    from trades.models import Trade

    call_command("migrate", verbosity=0)
    if not Commune.objects.exists():
        log("import_geo…")
        call_command("import_geo", verbosity=0)
    if not Trade.objects.exists():
        log("import_trades…")
        call_command("import_trades", verbosity=0)
    seeded = CandidateProfile.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").count()
    if seeded != candidates:
        log(f"seed_demo --reset --candidates {candidates} (la base en avait {seeded})…")
        started = time.monotonic()
        call_command("seed_demo", reset=True, candidates=candidates, verbosity=0)
        Refresh.objects.all().delete()
        log(f"  fait en {time.monotonic() - started:.0f} s")
    if not Refresh.objects.exists():
        log("refresh_stats…")
        call_command("refresh_stats", verbosity=0)


def session_cookie(email: str) -> str:
    """Une session ouverte pour ce compte de démonstration, comme après la connexion par lien."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def pages() -> list[dict]:
    """Les pages mesurées : (nom, chemin, cookie, texte attendu dans la réponse)."""
    from django.db.models import Count, Q

    from accounts.models import User
    from demo.services import DEMO_CANDIDATE_EMAIL, DEMO_EMPLOYER_EMAIL
    from matching.enums import CONNECTED_STATES, OPEN_STATES
    from matching.models import Match
    from offers.models import Offer

    candidate_matches = Match.objects.filter(candidate__user__email=DEMO_CANDIDATE_EMAIL).active().count()
    # L'offre de l'employeur de démonstration qui montre le plus de candidat·es (en relation ou proposé·es).
    shown = Q(matches__state__in=CONNECTED_STATES) | Q(matches__is_active=True, matches__state__in=OPEN_STATES)
    offer = (
        Offer.objects.for_member(User.objects.get(email=DEMO_EMPLOYER_EMAIL))
        .annotate(shown=Count("matches", filter=shown, distinct=True))
        .order_by("-shown", "pk")
        .first()
    )
    public = Offer.objects.matchable().order_by("pk").first()
    candidate_cookie = session_cookie(DEMO_CANDIDATE_EMAIL)
    employer_cookie = session_cookie(DEMO_EMPLOYER_EMAIL)
    return [
        {"name": "accueil `/`", "path": "/", "expect": "<h1"},
        {"name": "`/stats`", "path": "/stats", "expect": "Statistiques"},
        {
            "name": "API `/api/v1/offres?commune=62765&rayon=30`",
            "path": "/api/v1/offres?commune=62765&rayon=30",
            "expect": '"count"',
        },  # fmt: skip
        {"name": "communes `/communes/recherche?q=saint`", "path": "/communes/recherche?q=saint", "expect": "results"},
        {
            "name": "recherche publique `/offres?commune=62765&rayon=30&famille=alimentation`",
            "path": "/offres?commune=62765&rayon=30&famille=alimentation",
            "expect": "resultats-titre",
        },  # fmt: skip
        {"name": "offre publique `/offres/<id>`", "path": f"/offres/{public.pk}", "expect": "JobPosting"},
        {"name": "flux `/api/v1/flux/offres.json`", "path": "/api/v1/flux/offres.json", "expect": '"count"'},
        {"name": "plan du site `/sitemap.xml`", "path": "/sitemap.xml", "expect": "<urlset"},
        {
            "name": f"candidat·e `/candidat/` ({candidate_matches} mises en relation)",
            "path": "/candidat/",
            "cookie": candidate_cookie,
            "expect": "Mes mises en relation",
        },  # fmt: skip
        {
            "name": f"offre employeur ({offer.shown} candidat·es)",
            "path": f"/employeur/offres/{offer.pk}",
            "cookie": employer_cookie,
            "expect": "Offre",
        },  # fmt: skip
    ]


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
    """Temps CPU (utilisateur + système) consommé par un processus, en secondes ; 0 s'il n'existe plus."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_cpu(master_pid: int, *, database: bool) -> tuple[dict[int, float], dict[int, float]]:
    """CPU des processus du serveur (maître et workers) et des connexions PostgreSQL à la base du banc.

    Ce temps ne dépend presque pas de la charge des autres processus de la machine, au contraire des débits.
    """
    from django.db import connection

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
        "cpu_python_ms": 1000 * cpu_delta(cpu_before[0], cpu_after[0]) / max(raw["requests"], 1),
        "cpu_database_ms": 1000 * cpu_delta(cpu_before[1], cpu_after[1]) / max(raw["requests"], 1),
    }


def check(port: int, page: dict, server: str, log_file: Path):
    status, body = get(port, page)
    if status != 200 or page["expect"].encode() not in body:
        tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
        sys.exit(f"{server} : {page['path']} répond {status} sans « {page['expect']} » : rien n'est mesuré.\n{tail}")


def milliseconds(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=100_000, help="Profils de démonstration (100 000).")
    parser.add_argument("--clients", type=int, default=50, help="Clients simultanés de la mesure en charge (50).")
    parser.add_argument("--seconds", type=int, default=10, help="Durée de chaque mesure en charge (10 s).")
    parser.add_argument("--single-seconds", type=int, default=5, help="Durée de chaque mesure à un client (5 s).")
    parser.add_argument("--workers", type=int, default=4, help="Workers gunicorn (4).")
    parser.add_argument("--baseline", help="Révision git à mesurer aussi, dans le même passage (l'« avant »).")
    parser.add_argument("--json", type=Path, help="Écrit aussi les chiffres dans ce fichier.")
    parser.add_argument("--ports", help="Plage de ports des serveurs du banc, par exemple 9200-9299 (un port libre).")
    args = parser.parse_args()
    if args.ports:
        global PORTS
        first, _, last = args.ports.partition("-")
        PORTS = range(int(first), int(last or first) + 1)
    if not shutil.which("wrk") or not shutil.which("nginx"):
        sys.exit("wrk et nginx sont nécessaires : apt-get install -y wrk nginx")

    import django

    django.setup()
    ensure_database()
    prepare(args.candidates)
    targets = pages()

    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # base Redis du banc : ni cache ni compteur d'un passage précédent
    workdir = Path(tempfile.mkdtemp(prefix="cestmachance-bench-web-"))
    servers = Servers(workdir)
    try:
        trees = {}
        if args.baseline:
            baseline = workdir / "baseline"
            baseline.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.baseline], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
            trees["avant"] = baseline
        trees["après" if args.baseline else "actuel"] = ROOT
        ports = {name: servers.gunicorn(tree, name.replace("è", "e"), args.workers) for name, tree in trees.items()}
        lua = workdir / "report.lua"
        lua.write_text(WRK_SCRIPT)

        first_port = next(iter(ports.values()))
        status, home_html = get(first_port, targets[0])
        nginx_port = servers.nginx(home_html)
        static_page = {"name": "nginx, copie statique de l'accueil", "path": "/", "expect": "<h1"}
        for name, port in ports.items():
            for page in targets:
                check(port, page, name, workdir / f"gunicorn-{name.replace('è', 'e')}.log")
                for _ in range(4 * args.workers):  # chaque worker charge ses index et remplit ses caches
                    get(port, page)

        results = {"static": [], "pages": [], "load": [os.getloadavg()]}
        log("nginx…")
        results["static"].append(
            wrk(
                nginx_port,
                static_page,
                clients=args.clients,
                seconds=args.seconds,
                lua=lua,
                pid=servers.pids[nginx_port],
                database=False,
            )
        )
        for page in targets:
            for name, port in ports.items():
                log(f"{page['name']} ({name})…")
                pid = servers.pids[port]
                one = wrk(port, page, clients=1, seconds=args.single_seconds, lua=lua, pid=pid)
                many = wrk(port, page, clients=args.clients, seconds=args.seconds, lua=lua, pid=pid)
                results["pages"].append({"page": page["name"], "server": name, "one": one, "many": many})
        log("nginx…")
        results["static"].append(
            wrk(
                nginx_port,
                static_page,
                clients=args.clients,
                seconds=args.seconds,
                lua=lua,
                pid=servers.pids[nginx_port],
                database=False,
            )
        )
        results["load"].append(os.getloadavg())
    finally:
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    static_rps = statistics.mean(run["rps"] for run in results["static"])
    print(
        f"\n{args.candidates:,} profils ; {args.clients} clients ; gunicorn {args.workers} workers ; nginx statique :"
    )
    print(
        f"{static_rps:,.0f} requêtes/s (deux mesures : "
        + ", ".join(f"{run['rps']:,.0f}" for run in results["static"])
        + f"), p95 {milliseconds(max(run['p95'] for run in results['static']))}, "
        + f"CPU {statistics.mean(run['cpu_python_ms'] for run in results['static']):.3f} ms par requête"
    )
    print(
        "Charge moyenne de la machine (1, 5, 15 min) : "
        + " puis ".join(" / ".join(f"{value:.1f}" for value in load) for load in results["load"])
        + " (début et fin des mesures)\n"
    )
    print(
        f"| page | code | 1 client : p50 | 1 client : req/s | {args.clients} clients : req/s | p50 | p95 | p99 "
        "| erreurs | part du statique | CPU par requête : Python + PostgreSQL |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in results["pages"]:
        one, many = row["one"], row["many"]
        print(
            f"| {row['page']} | {row['server']} | {milliseconds(one['p50'])} | {one['rps']:,.0f} | "
            f"{many['rps']:,.0f} | "
            f"{milliseconds(many['p50'])} | {milliseconds(many['p95'])} | {milliseconds(many['p99'])} | "
            f"{many['errors'] + one['errors']} | {100 * many['rps'] / static_rps:.2f} % | "
            f"{many['cpu_python_ms']:.1f} + {many['cpu_database_ms']:.1f} ms |"
        )
    if args.json:
        args.json.write_text(json.dumps({"candidates": args.candidates, "static_rps": static_rps, **results}, indent=2))


if __name__ == "__main__":
    main()
