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
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django
import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.web_servers import (
    PORTS,
    REDIS_URL,
    SERVER_ENV,
    WRK_SCRIPT,
    Servers,
    get,
    log,
    wrk,
)

os.environ.update(SERVER_ENV)
# Ce processus prépare des données de démonstration, refusées en production : il tourne en recette (DEBUG=1) ; le
# serveur mesuré, lui, tourne avec les réglages de production (SERVER_ENV).
os.environ["DEBUG"] = "1"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from accounts.models import User  # noqa: E402
from candidates.models import CandidateProfile  # noqa: E402
from demo.services import DEMO_CANDIDATE_EMAIL, DEMO_DOMAIN, DEMO_EMPLOYER_EMAIL  # noqa: E402
from geo.models import Commune  # noqa: E402
from matching.enums import CONNECTED_STATES, OPEN_STATES  # noqa: E402
from matching.models import Match  # noqa: E402
from offers.models import Offer  # noqa: E402
from stats.models import Refresh  # noqa: E402
from trades.models import Trade  # noqa: E402


def ensure_database():
    """Crée la base du banc si elle n'existe pas (PostgreSQL seulement)."""
    database = connections.databases["default"]
    if "postgresql" not in database["ENGINE"]:
        sys.exit("Le banc web mesure la production : BENCH_DATABASE_URL doit désigner une base PostgreSQL.")
    params = {"host": database["HOST"], "port": database["PORT"] or 5432, "user": database["USER"]}
    if database["PASSWORD"]:
        params["password"] = database["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone()
        if not exists:
            log(f"création de la base {database['NAME']}…")
            admin.execute(f'CREATE DATABASE "{database["NAME"]}"')


def prepare(candidates: int):
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
    # Statistiques du planificateur à jour, comme après le passage de l'autovacuum en production : juste après
    # l'écriture de millions de paires, il les ignore encore et choisit de mauvais plans (120 ms au lieu de 2 ms
    # pour compter les candidat·es d'une offre).
    log("VACUUM ANALYZE…")
    with connections["default"].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def session_cookie(email: str) -> str:
    """Une session ouverte pour ce compte de démonstration, comme après la connexion par lien."""
    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def pages() -> list[dict]:
    """Les pages mesurées : (nom, chemin, cookie, texte attendu dans la réponse)."""
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
        first, _, last = args.ports.partition("-")
        PORTS[:] = range(int(first), int(last or first) + 1)
    if not shutil.which("wrk") or not shutil.which("nginx"):
        sys.exit("wrk et nginx sont nécessaires : apt-get install -y wrk nginx")

    ensure_database()
    prepare(args.candidates)
    targets = pages()

    redis.Redis.from_url(REDIS_URL).flushdb()  # base Redis du banc : ni cache ni compteur d'un passage précédent
    workdir = Path(tempfile.mkdtemp(prefix="cestmachance-bench-web-"))
    servers = Servers(workdir)
    try:
        ports = servers.code_under_test(args.baseline, args.workers)
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
