"""Mesures de la recherche du back-office (script, pas un test).

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/cm_bench .venv/bin/python benchmarks/search.py \
        --candidates 1000000 --companies 100000

Prépare la base (migrate, import_geo, import_trades), la remplit en SQL (`generate_series`) de
`--candidates` profils (noms, e-mails, téléphones, communes tirés au hasard sur toute la France) et de
`--companies` entreprises avec chacune une offre, puis mesure `backoffice.search.search`
pour une conseillère d'une région et pour l'administration nationale, sur des noms (avec et sans accents, avec
une faute), des e-mails, des téléphones, des SIRET, des SIREN, des communes et des métiers : p50 et p95 sur
`--repeat` répétitions de chaque requête. La charge de la machine (`os.getloadavg`) est affichée avec les
chiffres.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from backoffice.models import AdvisorProfile  # noqa: E402
from backoffice.search import search  # noqa: E402
from candidates.models import CandidateProfile  # noqa: E402
from employers.models import Company  # noqa: E402
from geo.models import Commune, Region  # noqa: E402
from trades.models import Trade  # noqa: E402

FIRST_NAMES = [
    "Inès", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules", "Zoé", "Noé", "Éloïse", "Gabriel",
    "Jade", "Raphaël", "Lina", "Adam", "Maëlys", "Arthur", "Anaïs", "Théo", "Sarah", "Mathéo", "Océane", "Yanis",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
]  # fmt: skip


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql_array(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def fill(candidates: int, companies: int):
    call_command("migrate", verbosity=0)
    if not Commune.objects.exists():
        call_command("import_geo")
    if not Trade.objects.exists():
        call_command("import_trades")
    with connection.cursor() as cursor:
        have = CandidateProfile.objects.count()
        if have < candidates:
            log(f"création de {candidates - have} profils…")
            started = time.monotonic()
            cursor.execute(
                f"""
                INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, role,
                                           is_active, is_staff, date_joined)
                SELECT '!', false, 'jeune' || g || '@example.org',
                       ({sql_array(FIRST_NAMES)})[1 + (g * 7) % {len(FIRST_NAMES)}],
                       ({sql_array(LAST_NAMES)})[1 + (g * 13) % {len(LAST_NAMES)}] || CASE WHEN g % 3 = 0
                         THEN '-' || ({sql_array(LAST_NAMES)})[1 + (g / 7) % {len(LAST_NAMES)}] ELSE '' END,
                       '+336' || lpad(g::text, 8, '0'), 'candidat', true, false, now()
                FROM generate_series({have + 1}, {candidates}) AS g;
                INSERT INTO candidates_candidateprofile (birth_date, radius_km, has_driving_licence, has_vehicle,
                    level, contract_types, has_training_place, training_centre, presentation, status,
                    notification_frequency, created_at, updated_at, user_id, age_exception, is_complete,
                    job_seeker, commune_id)
                SELECT date '2006-01-01' + (u.id % 2000)::int, 30, false, false, '3', '["apprentissage"]',
                       false, '', '', 'recherche', 'immediat', now(), now(), u.id, '', true, false,
                       c.codes[1 + (u.id * 2654435761) % array_length(c.codes, 1)]
                FROM accounts_user u,
                     (SELECT array_agg(code ORDER BY code) AS codes FROM geo_commune WHERE lat IS NOT NULL) c
                WHERE u.role = 'candidat' AND NOT EXISTS (
                    SELECT 1 FROM candidates_candidateprofile p WHERE p.user_id = u.id);
                """
            )
            log(f"  fait en {time.monotonic() - started:.0f} s")
        have = Company.objects.count()
        if have < companies:
            log(f"création de {companies - have} entreprises et offres…")
            started = time.monotonic()
            cursor.execute(
                f"""
                INSERT INTO employers_company (siret, name, commune_id, naf_code, staff_band, created_at,
                    craft_activity_code, idcc_codes, verification_status, verification_reasons,
                    verification_source)
                SELECT lpad((100000000 + g)::text, 9, '0') || '00017',
                       (ARRAY['Boulangerie', 'Garage', 'Salon', 'Menuiserie', 'Fournil'])[1 + g % 5] || ' '
                         || ({sql_array(LAST_NAMES)})[1 + (g * 11) % {len(LAST_NAMES)}] || ' ' || g,
                       c.codes[1 + (g::bigint * 40503) % array_length(c.codes, 1)],
                       '10.71C', '0-10', now(), '', '[]', 'verifiee', '[]', 'annuaire'
                FROM generate_series({have + 1}, {companies}) AS g,
                     (SELECT array_agg(code ORDER BY code) AS codes FROM geo_commune WHERE lat IS NOT NULL) c;
                INSERT INTO offers_offer (company_id, trade_id, levels, contract_types, start_date, positions,
                    filled_positions, commune_id, description, working_hours, night_or_early_work,
                    driving_licence_required, accepts_minors, status, created_at, updated_at, published_at,
                    expires_at, matching_suspended)
                SELECT c.id, t.ids[1 + c.id % array_length(t.ids, 1)], '[]',
                       '["apprentissage"]', NULL, 1, 0, c.commune_id, '', '', false, false, true, 'publiee',
                       now(), now(), now(), now() + interval '60 days', false
                FROM employers_company c, (SELECT array_agg(id ORDER BY id) AS ids FROM trades_trade) t
                WHERE c.id > {have};
                """
            )
            log(f"  fait en {time.monotonic() - started:.0f} s")
        log("VACUUM ANALYZE…")
        for table in ("accounts_user", "candidates_candidateprofile", "employers_company", "offers_offer"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"base : {CandidateProfile.objects.count()} profils, {Company.objects.count()} entreprises")


def advisor(national: bool) -> AdvisorProfile:
    email = "bench-admin@example.org" if national else "bench-conseil@example.org"
    user, _ = User.objects.get_or_create(
        email=email, defaults={"role": Role.ADMIN if national else Role.ADVISOR, "first_name": "Banc"}
    )
    profile, _ = AdvisorProfile.objects.get_or_create(user=user)
    if not national:
        profile.regions.set([Region.objects.get(code="84")])  # Auvergne-Rhône-Alpes
    return profile


def measure(queries, repeat: int):
    for label, profile in (("région Auvergne-Rhône-Alpes", advisor(False)), ("France entière", advisor(True))):
        log(f"--- {label}")
        for query in queries:
            search(profile, query)  # chauffe (cache du plan, communes)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                results = search(profile, query)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p50, p95 = times[len(times) // 2], times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            log(f"{query!r:30} {results.count:3} résultats  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    log(f"charge de la machine (1, 5, 15 min) : {os.getloadavg()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    fill(args.candidates, args.companies)
    sample = CandidateProfile.objects.select_related("user").order_by("pk")[args.candidates // 2]
    company = Company.objects.order_by("pk")[args.companies // 2]
    queries = [
        "Ines Durand",
        "Inès Durand",
        "Lefebvre",
        "eloise lefevre",
        "Dupond",  # faute de frappe
        sample.user.email,
        sample.user.email.split("@")[0][:8],
        sample.user.phone.replace("+33", "0"),
        "06 " + sample.user.phone[4:6] + " " + sample.user.phone[6:8] + " " + sample.user.phone[8:10] + " "
        + sample.user.phone[10:12],
        company.siret,
        company.siret[:9],
        "Lyon",
        "Villeurbanne",
        "boulanger",
        "Garage Moreau",
    ]  # fmt: skip
    measure(queries, args.repeat)


if __name__ == "__main__":
    main()
