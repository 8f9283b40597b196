"""Mesures de la mise en relation (script, pas un test).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/matching.py \
        --candidates 1000000 --offers 200000

Prépare la base (migrate, import_geo, import_trades, données de démonstration sur toute la France), puis
mesure sur `--ops` opérations le travail de `rematch_offer` / `rematch_candidate` avant écriture
(recherche des candidat·es ou des offres + règles), le même travail par un parcours complet, le rapport des
deux, puis `rematch_all` deux fois : sur une table de paires vide (premier calcul), puis à nouveau
(recalcul : tout est recalculé et comparé, rien n'a changé), puis la tâche quotidienne (`rematch_daily`) sur
`--days` jours suivants (horloge avancée d'un jour à chaque fois). Le pic de mémoire du processus pendant
chaque étape (VmHWM, remis à zéro entre les étapes) est affiché à la fin de l'étape, avec la charge de la
machine.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("TOTP_ENCRYPTION_KEY", "YmVuY2htYXJrLW9ubHktdG90cC1rZXktMzItYnl0ZXM=")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")

import django
import time_machine

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import CandidateProfile  # noqa: E402
from demo.services import DemoSeeder  # noqa: E402
from employers.models import Company  # noqa: E402
from geo.distance import commune_index  # noqa: E402
from geo.models import Commune  # noqa: E402
from matching import indexes, rematch, rule_facts, search  # noqa: E402
from matching.models import CandidateTradeIndex, DailyRematch, Match, OfferIndex  # noqa: E402
from offers.models import Offer  # noqa: E402
from tests.matching import scan  # noqa: E402
from trades.models import Trade  # noqa: E402


def log(message):
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')}] {message} [charge {load}]", flush=True)


def memory_status() -> dict:
    """VmRSS, VmHWM (pic) et RssAnon du processus, en Ko ; vide hors de Linux. Sous SQLite, VmRSS compte aussi
    les pages de la base projetées en mémoire (`mmap_size`, jusqu'à 1 Go, que le noyau peut reprendre) : RssAnon
    est la mémoire propre du processus."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    names = ("VmRSS:", "VmHWM:", "RssAnon:")
    return {line.split(":")[0]: int(line.split()[1]) for line in lines if line.startswith(names)}


def progress(message):
    """Le journal de `rematch_all`, avec la mémoire du moment et le pic de l'étape."""
    memory = memory_status()
    if memory:
        message += (
            f" — mémoire {memory['VmRSS'] / 1024:.0f} Mo (dont propre au processus {memory['RssAnon'] / 1024:.0f} Mo)"
            f", pic {memory['VmHWM'] / 1024:.0f} Mo"
        )
    log(message)


def peak_memory(step="depuis le début"):
    """Pic de mémoire résidente du processus (VmHWM de /proc/self/status, comme ru_maxrss) pendant l'étape
    qui s'achève, puis remis à zéro (`clear_refs`) : chaque étape a son propre pic."""
    peak = memory_status().get("VmHWM")
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # hors de Linux : le pic depuis le début du processus
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    log(f"pic de mémoire ({step}) : {peak / 1024:.0f} Mo")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def prepare(candidates: int, offers: int, seed: int, rebuild: bool):
    call_command("migrate", verbosity=0)
    if not Commune.objects.exists():
        log("import_geo…")
        call_command("import_geo")
    if not Trade.objects.exists():
        log("import_trades…")
        call_command("import_trades")
    have_offers, have_candidates = Offer.objects.count(), CandidateProfile.objects.count()
    seeder = DemoSeeder(seed=seed, region=None, today=timezone.localdate(), log=lambda m: None)
    if have_offers == 0:
        employers = round((offers - have_offers) / 1.5)
        log(f"création de {employers} employeurs (~{offers - have_offers} offres)…")
        started = time.monotonic()
        seeder.employers(employers, first_email=None)
        log(f"  fait en {time.monotonic() - started:.0f} s")
    if have_candidates == 0:
        log(f"création de {candidates - have_candidates} profils…")
        started = time.monotonic()
        seeder.candidates(candidates - have_candidates, first_email=None)
        log(f"  fait en {time.monotonic() - started:.0f} s")
    # Les données de démonstration ne marquent pas toujours les profils « complets » : ils le sont.
    if hasattr(CandidateProfile, "is_complete"):
        CandidateProfile.objects.filter(is_complete=False).update(is_complete=True)
    log(f"base : {CandidateProfile.objects.count()} profils, {Offer.objects.count()} offres")
    commune_index()  # construit une fois, comme dans un processus qui tourne
    if rebuild or CandidateTradeIndex.objects.count() == 0:
        elapsed, rows = timed(indexes.candidate_index_rebuild)
        log(f"index des candidat·es : {rows} lignes en {elapsed / 1000:.0f} s")
    if rebuild or OfferIndex.objects.count() == 0:
        elapsed, rows = timed(indexes.offer_index_rebuild)
        log(f"index des offres : {rows} lignes en {elapsed / 1000:.0f} s")
    if connection.vendor == "postgresql":
        # Ce que fait l'autovacuum peu après un remplissage : statistiques et carte de visibilité à jour (les
        # index couvrants sont alors lus sans la table).
        elapsed, _ = timed(vacuum, CandidateTradeIndex, OfferIndex, CandidateProfile, Offer, Company)
        log(f"VACUUM ANALYZE des deux index, des profils, des offres et des entreprises : {elapsed / 1000:.0f} s")


def vacuum(*models):
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def report(name, fast, slow):
    p50, p95 = percentile(fast, 0.5), percentile(fast, 0.95)
    scan = statistics.median(slow)
    log(
        f"{name} : index p50 {p50:.2f} ms, p95 {p95:.2f} ms ; parcours complet {scan:.0f} ms ; rapport {scan / p50:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--offers", type=int, default=200_000)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--scans", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-search", action="store_true", help="sans les mesures de recherche")
    parser.add_argument("--skip-rematch-all", action="store_true")
    parser.add_argument(
        "--recalcul-only", action="store_true", help="garder les paires enregistrées : seulement le recalcul"
    )
    parser.add_argument("--rebuild-index", action="store_true", help="reconstruire les deux index (et le mesurer)")
    parser.add_argument("--days", type=int, default=7, help="jours de tâche quotidienne mesurés")
    parser.add_argument(
        "--daily-eve",
        action="store_true",
        help="sans recalcul complet : avant chaque jour, les paires des profils du jour telles qu'à la veille",
    )
    args = parser.parse_args()
    log(f"base : {connection.vendor}")
    prepare(args.candidates, args.offers, args.seed, args.rebuild_index)
    peak_memory("préparation")
    if not args.skip_search:
        search_benchmark(args)
    if not args.skip_rematch_all:
        if not args.recalcul_only:
            Match.objects.all().delete()
            peak_memory("suppression des paires")
            elapsed, totals = timed(rematch.rematch_all, progress=progress, notify=False)
            log(f"rematch_all, table des paires vide : {elapsed / 1000:.0f} s, {totals}")
            peak_memory("rematch_all, table vide")
        elapsed, totals = timed(rematch.rematch_all, progress=progress, notify=False)
        log(f"rematch_all, recalcul : {elapsed / 1000:.0f} s, {totals}")
        peak_memory("rematch_all, recalcul")
    daily(args.days, eve=args.daily_eve)


def search_benchmark(args):
    rng = random.Random(args.seed)
    now = timezone.now()

    offer_ids = list(Offer.objects.published().values_list("pk", flat=True))
    sample = rng.sample(offer_ids, min(args.ops, len(offer_ids)))
    offers = [rule_facts.offer_facts(o) for o in Offer.objects.select_related("trade").filter(pk__in=sample)]
    fast, sizes = [], []
    for facts in offers:
        elapsed, fits = timed(search.offer_candidate_pool, facts, now=now)
        fast.append(elapsed)
        sizes.append(len(fits))
    slow = []
    for facts in offers[: args.scans]:
        elapsed, fits = timed(scan.offer_candidate_pool_by_scan, facts, now=now)
        slow.append(elapsed)
        assert fits == search.offer_candidate_pool(facts, now=now), "résultats différents"
    log(f"nouvelle offre : {statistics.mean(sizes):.1f} candidat·es retenu·es en moyenne")
    report("nouvelle offre contre les profils", fast, slow)

    profile_ids = list(CandidateTradeIndex.objects.values_list("candidate_id", flat=True).distinct()[:200_000])
    sample = rng.sample(profile_ids, min(args.ops, len(profile_ids)))
    profiles = CandidateProfile.objects.filter(pk__in=sample).prefetch_related("trades")
    facts_list = [rule_facts.candidate_facts(p, {t.pk for t in p.trades.all()}, searching=True) for p in profiles]
    fast, sizes = [], []
    for facts in facts_list:
        elapsed, fits = timed(search.candidate_offer_pool, facts, now=now)
        fast.append(elapsed)
        sizes.append(len(fits))
    slow = []
    for facts in facts_list[: args.scans]:
        elapsed, fits = timed(scan.candidate_offer_pool_by_scan, facts, now=now)
        slow.append(elapsed)
        assert fits == search.candidate_offer_pool(facts, now=now), "résultats différents"
    log(f"nouveau profil : {statistics.mean(sizes):.1f} offres retenues en moyenne")
    report("nouveau profil contre les offres", fast, slow)
    peak_memory("recherches")


def daily(days: int, *, eve: bool = False):
    """La tâche quotidienne sur les `days` jours qui suivent le dernier jour fait, l'horloge avancée d'un jour
    à chaque fois (alertes comprises : les e-mails partent dans la boîte d'envoi).

    `eve` : sans attendre un recalcul complet, les paires des seuls profils du jour sont d'abord mises (sans
    alertes, non mesuré) telles que les donnent les règles la veille à la même heure, comme si un recalcul
    complet ou la tâche de la veille les avait écrites ; la table des paires est vidée au départ."""
    if eve:
        Match.objects.all().delete()
    if connection.vendor == "postgresql":
        # Ce que l'autovacuum fait après le remplissage de la table des paires : sans statistiques, le planificateur
        # choisit des boucles imbriquées (20 s au lieu de 2 pour un jour de 23 profils).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    last = DailyRematch.objects.order_by("-day").values_list("day", flat=True).first() or timezone.localdate()
    durations, counts = [], []
    for offset in range(1, days + 1):
        day = last + datetime.timedelta(days=offset)
        moment = datetime.datetime(day.year, day.month, day.day, 3, tzinfo=datetime.UTC)
        if eve:
            ids = rematch.due_profile_ids(since=day - datetime.timedelta(days=1), day=day)
            with time_machine.travel(moment - datetime.timedelta(days=1), tick=True):
                elapsed, totals = timed(rematch.rematch_candidates, ids, notify=False)
            log(
                f"veille du {day.isoformat()} : paires des {len(ids)} profils du jour "
                f"en {elapsed / 1000:.2f} s, {totals}"
            )
        with time_machine.travel(moment, tick=True):
            elapsed, totals = timed(rematch.rematch_daily)
        durations.append(elapsed / 1000)
        counts.append(totals["profiles"])
        log(f"tâche quotidienne du {day.isoformat()} : {elapsed / 1000:.2f} s, {totals}")
    if durations:
        log(
            f"tâche quotidienne : {statistics.mean(counts):.0f} profils recalculés par jour en moyenne, "
            f"{statistics.mean(durations):.2f} s en moyenne, {max(durations):.2f} s au plus"
        )
        peak_memory("tâche quotidienne")


if __name__ == "__main__":
    main()
