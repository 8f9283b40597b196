"""Le flux des offres et le plan du site en charge pendant que les offres changent (script, pas un test).

    .venv/bin/python benchmarks/public_changes.py --candidates 100000 [--every 5] [--baseline RÉVISION]

Ces deux réponses se calculent en une seconde (30 000 offres) et se gardent en cache sous la version des
offres, qui change à chaque offre publiée, modifiée ou pourvue et à chaque entreprise vérifiée. Le banc web
(`benchmarks/web.py`) les mesure quand rien ne change ; celui-ci change la version toutes les `--every`
secondes pendant la mesure, comme une journée où les artisans publient, et compte ce que coûtent les calculs
qui suivent chaque changement : débit, latences, erreurs, CPU par requête.

Même base, mêmes serveurs que le banc web (gunicorn, 4 workers, DEBUG=0, Redis) ; `--baseline` mesure aussi
une autre révision, page par page, dans le même passage.
"""

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# benchmarks.web charge les réglages de Django (ceux du banc) avant les modules du projet.
from benchmarks.web import ensure_database, milliseconds, prepare
from benchmarks.web_servers import REDIS_URL, WRK_SCRIPT, Servers, get, log, wrk
from offers.selectors import offers_version_bump

PAGES = [
    {"name": "flux `/api/v1/flux/offres.json`", "path": "/api/v1/flux/offres.json", "expect": '"count"'},
    {"name": "plan du site `/sitemap.xml`", "path": "/sitemap.xml", "expect": "<urlset"},
]


class Changes(threading.Thread):
    """Change la version des offres toutes les `every` secondes, comme le fait l'écriture d'une offre."""

    def __init__(self, every: float):
        super().__init__(daemon=True)
        self.every, self.count, self.stopped = every, 0, threading.Event()

    def run(self):
        while not self.stopped.wait(self.every):
            offers_version_bump()
            self.count += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=100_000, help="Profils de démonstration (100 000).")
    parser.add_argument("--clients", type=int, default=50, help="Clients simultanés (50).")
    parser.add_argument("--seconds", type=int, default=30, help="Durée de chaque mesure (30 s).")
    parser.add_argument("--every", type=float, default=5, help="Secondes entre deux changements des offres (5).")
    parser.add_argument("--workers", type=int, default=4, help="Workers gunicorn (4).")
    parser.add_argument("--baseline", help="Révision git à mesurer aussi, dans le même passage (l'« avant »).")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk est nécessaire : apt-get install -y wrk")

    ensure_database()
    prepare(args.candidates)
    redis.Redis.from_url(REDIS_URL).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="cestmachance-bench-changes-"))
    servers = Servers(workdir)
    rows = []
    try:
        ports = servers.code_under_test(args.baseline, args.workers)
        lua = workdir / "report.lua"
        lua.write_text(WRK_SCRIPT)
        for page in PAGES:
            for name, port in ports.items():
                status, body = get(port, page)
                if status != 200 or page["expect"].encode() not in body:
                    sys.exit(f"{page['path']} ({name}) : réponse {status} inattendue.")
                log(f"{page['name']} ({name}), un changement toutes les {args.every:g} s…")
                changes = Changes(args.every)
                changes.start()
                result = wrk(port, page, clients=args.clients, seconds=args.seconds, lua=lua, pid=servers.pids[port])
                changes.stopped.set()
                changes.join()
                rows.append({"page": page["name"], "server": name, "changes": changes.count, **result})
    finally:
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\n{args.candidates:,} profils ; {args.clients} clients pendant {args.seconds} s ; "
        f"gunicorn {args.workers} workers ; la version des offres change toutes les {args.every:g} s\n"
    )
    print("| page | code | changements | req/s | p50 | p95 | p99 | erreurs | CPU par requête : Python + PostgreSQL |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['page']} | {row['server']} | {row['changes']} | {row['rps']:,.0f} | {milliseconds(row['p50'])} | "
            f"{milliseconds(row['p95'])} | {milliseconds(row['p99'])} | {row['errors']} | "
            f"{row['cpu_python_ms']:.1f} + {row['cpu_database_ms']:.1f} ms |"
        )


if __name__ == "__main__":
    main()
