"""La sauvegarde se restaure : scripts/restore_check.sh sauvegarde, restaure dans une base vide et vérifie."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from matching import indexes, rematch
from tests.matching.factories import CandidateProfileFactory, OfferFactory, TradeFactory, commune_at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="pg_dump et pg_restore : PostgreSQL seulement",
    ),
]

SCRIPT = Path(django_settings.BASE_DIR) / "scripts" / "restore_check.sh"


def database_url():
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"


def world():
    trade = TradeFactory(code="boulanger")
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    indexes.offer_index_sync(offer=offer)
    candidate = CandidateProfileFactory(trades=[trade], commune=commune_at(4))
    rematch.rematch_candidate(candidate.pk)
    return candidate


def run(*args):
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KEEP": ""},
        check=False,
    )


def test_backup_restores_into_an_empty_database_and_checks_out():
    candidate = world()
    assert candidate.matches.count() == 1
    result = run(database_url())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identiques à la source" in result.stdout
    assert "Connexion : compte" in result.stdout
    assert "est retrouvée par la recherche" in result.stdout
    assert "Restauration vérifiée" in result.stdout
    restored = re.search(r"Base restaurée : (\w+)", result.stdout).group(1)
    with connection.cursor() as cursor:  # la base restaurée est supprimée à la fin
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [restored])
        assert cursor.fetchone()[0] == 0


def test_a_stale_backup_is_caught(tmp_path):
    world()
    dump = tmp_path / "ancienne.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", database_url()], check=True)
    CandidateProfileFactory()  # après la sauvegarde
    result = run(database_url(), str(dump))
    assert result.returncode == 1
    assert "ÉCHEC : candidates_candidateprofile : 1 ligne(s) restaurée(s), 2 dans la source" in result.stderr
    assert "Restauration en échec" in result.stdout
