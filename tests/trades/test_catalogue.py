import csv
from collections import Counter

import pytest
from django.conf import settings

from trades.catalogue import FAMILIES, TRADES
from trades.models import Trade
from trades.services import catalogue_import


def rome_job_codes():
    path = settings.ROME_DATA_DIR / "rome.csv"
    if not path.exists():
        pytest.skip(f"Référentiel ROME absent ({path}) : réglez ROME_DATA_DIR.")
    with path.open(encoding="utf-8", newline="") as file:
        return {row["rome"] for row in csv.DictReader(file) if row["rome"]}


def test_catalogue_has_at_least_80_trades_with_unique_codes_and_labels():
    assert len(TRADES) >= 80
    assert len({t.code for t in TRADES}) == len(TRADES)
    assert len({t.label for t in TRADES}) == len(TRADES)


def test_every_family_is_known_and_used():
    families = {code for code, _ in FAMILIES}
    used = Counter(t.family for t in TRADES)
    assert set(used) == families
    for required in ("alimentation", "batiment", "beaute_soins", "automobile_mecanique", "fabrication_art", "services"):
        assert used[required] >= 3


def test_every_rome_code_exists_in_the_rome_referential():
    known = rome_job_codes()
    unknown = {t.code: code for t in TRADES for code in t.rome_codes if code not in known}
    assert unknown == {}
    assert all(t.rome_codes for t in TRADES)


@pytest.mark.django_db
def test_import_is_idempotent_and_deactivates_removed_trades():
    assert catalogue_import()["created"] == len(TRADES)
    assert catalogue_import() == {"created": 0, "updated": 0, "deactivated": 0}
    assert catalogue_import(TRADES[1:]) == {"created": 0, "updated": 0, "deactivated": 1}
    assert not Trade.objects.get(code=TRADES[0].code).is_active
    assert catalogue_import()["updated"] == 1


@pytest.mark.django_db
def test_api_lists_the_catalogue(client):
    catalogue_import()
    response = client.get("/api/v1/metiers")
    assert response.status_code == 200
    trades = response.json()
    assert len(trades) == len(TRADES)
    baker = next(t for t in trades if t["code"] == "boulanger")
    assert baker == {
        "code": "boulanger",
        "label": "Boulanger / Boulangère",
        "family": "alimentation",
        "family_label": "Alimentation",
        "rome_codes": ["D1102"],
    }
