"""Mesures de la recherche publique d'offres (script, pas un test) :

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/public_search.py [--searches 300]

Sur une base déjà remplie (`seed_demo`, puis `rematch` pour l'index des offres) : des recherches au hasard
(commune parmi les plus peuplées, rayon proposé, famille ou métier ou rien), mesurées deux fois : la recherche
seule (`matching.public_search.public_offer_search`) et la page entière `/offres` rendue par Django (client de
test, sans réseau). Affiche p50, p95, p99, le nombre de requêtes SQL de la page et la charge de la machine.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from geo.models import Commune  # noqa: E402
from matching import public_search  # noqa: E402
from matching.models import OfferIndex  # noqa: E402
from trades.catalogue import FAMILIES  # noqa: E402
from trades.models import Trade  # noqa: E402


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share):
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {at(0.95):.2f} ms, p99 {at(0.99):.2f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    communes = list(Commune.objects.exclude(lat=None).order_by("-population").values_list("code", flat=True)[:2000])
    trades = list(Trade.objects.active().values_list("pk", "code", "family"))
    radii = (10, 20, 30, 50, 100, 200)
    plans = []
    for _ in range(args.searches):
        code, radius, choice = rng.choice(communes), rng.choice(radii), rng.random()
        if choice < 0.4:
            pk, trade_code, family = rng.choice(trades)
            plans.append((code, radius, {pk}, {"metier": trade_code}))
        elif choice < 0.8:
            family = rng.choice(FAMILIES)[0]
            ids = {pk for pk, _code, fam in trades if fam == family}
            plans.append((code, radius, ids, {"famille": family}))
        else:
            plans.append((code, radius, None, {}))

    found, search_times = [], []
    for code, radius, trade_ids, _params in plans:
        started = time.perf_counter()
        found.append(len(public_search.public_offer_search(code, radius, trade_ids=trade_ids)))
        search_times.append(time.perf_counter() - started)

    client = Client(SERVER_NAME="localhost")
    client.get("/offres", {"commune": plans[0][0]})  # index des communes chargé
    page_times, queries = [], []
    for code, radius, _trade_ids, params in plans:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/offres", {"commune": code, "rayon": str(radius), **params})
        page_times.append(time.perf_counter() - started)
        queries.append(len(captured))
        assert response.status_code == 200, response.status_code

    print(f"base : {connection.vendor}, {OfferIndex.objects.count()} offres dans l'index, {len(communes)} communes")
    print(f"offres trouvées par recherche : moyenne {statistics.mean(found):.0f}, max {max(found)}")
    print(f"recherche seule ({len(plans)}) : {percentiles(search_times)}")
    print(f"page /offres entière ({len(plans)}) : {percentiles(page_times)} ; requêtes SQL : max {max(queries)}")
    print("charge : " + Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
