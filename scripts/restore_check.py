"""Contrôles d'une base restaurée (appelé par scripts/restore_check.sh, DATABASE_URL = la base restaurée).

1. Chaque table du projet a autant de lignes que dans la base source (`--source`).
2. Une connexion marche : un lien magique est créé puis ouvert par les vraies vues.
3. Une mise en relation enregistrée est retrouvée par la recherche (index de la mise en relation restaurés).
"""

import argparse
import os
import sys
from pathlib import Path

import django
import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "restore-check")
os.environ["ALLOWED_HOSTS"] = "testserver"
# Rien ne sort de la base restaurée : ni tâche de fond, ni e-mail.
os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from accounts.services import magic_link_send  # noqa: E402
from candidates.models import CandidateProfile  # noqa: E402
from matching import rule_facts, search  # noqa: E402
from matching.models import Match  # noqa: E402


def source_counts(source_url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(source_url) as source:
        return {
            table: source.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def check_counts(source_url: str) -> list[str]:
    tables = sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed}
        & set(connection.introspection.table_names())
    )
    expected = source_counts(source_url, tables)
    errors = []
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (noms de tables du projet)
            count = cursor.fetchone()[0]
            total += count
            if count != expected[table]:
                errors.append(f"{table} : {count} ligne(s) restaurée(s), {expected[table]} dans la source")
    print(f"Tables : {len(tables)}, lignes : {total}" + ("" if errors else ", identiques à la source"))
    return errors


def check_login() -> list[str]:
    user = User.objects.filter(is_active=True, role__in=[Role.CANDIDATE, Role.EMPLOYER]).order_by("pk").first()
    if user is None:
        return ["aucun compte actif à connecter"]
    client = Client()
    token = magic_link_send(user=user)
    if client.get(f"/connexion/lien/{token}").status_code != 200:  # la page du lien, qui ne consomme rien
        return ["la page du lien de connexion ne s'ouvre pas"]
    response = client.post("/connexion/lien", {"token": token})  # son bouton « Se connecter »
    if response.status_code != 302 or client.session.get("_auth_user_id") != str(user.pk):
        return [f"connexion impossible (réponse {response.status_code})"]
    home = client.get(response.url)
    if home.status_code != 200:
        return [f"espace inaccessible après connexion (réponse {home.status_code})"]
    print(f"Connexion : compte {user.pk} connecté, son espace répond")
    return []


def check_match() -> list[str]:
    match = (
        Match.objects.filter(is_active=True, candidate__in=CandidateProfile.objects.searching())
        .order_by("pk")
        .select_related("candidate")
        .first()
    )
    if match is None:
        return ["aucune mise en relation active à retrouver"]
    profile = match.candidate
    trade_ids = set(profile.trades.values_list("pk", flat=True))
    pool = search.candidate_offer_pool(rule_facts.candidate_facts(profile, trade_ids, searching=True))
    if match.offer_id not in pool:
        return [f"la mise en relation {match.pk} n'est plus retrouvée par la recherche"]
    print(f"Mise en relation : la paire {match.pk} est retrouvée par la recherche ({len(pool)} offre(s))")
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="URL de la base sauvegardée, pour comparer")
    options = parser.parse_args()

    errors = check_counts(options.source) + check_login() + check_match()
    for error in errors:
        print(f"ÉCHEC : {error}", file=sys.stderr)
    print("Restauration vérifiée" if not errors else f"Restauration en échec : {len(errors)} problème(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
