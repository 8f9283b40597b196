"""Secret statistique : aucune case masquée ne se retrouve à partir des cases publiées.

Un jeu d'agrégats tiré au hasard (beaucoup de cases de 1 à 4) est publié ; on lit tout ce que publient les
données ouvertes, pour chaque périmètre (France, régions, départements, chaque famille de métiers), puis on
écrit toutes les égalités « total = somme des parties » entre ces cases (zones, mois, familles) et on cherche
par l'algèbre linéaire (noyau du système restreint aux inconnues) une case masquée que ces égalités
détermineraient.
"""

import datetime
import random

import numpy as np
import pytest
from django.urls import reverse

from stats.enums import ADDITIVE_BY_FAMILY, COUNT_INDICATORS, SECRET, SNAPSHOT_INDICATORS, Indicator
from stats.models import Aggregate
from stats.services import aggregates_replace
from tests.geo.factories import DepartementFactory, RegionFactory
from trades.catalogue import FAMILIES

pytestmark = pytest.mark.django_db

TERRITORY = {"32": ["59", "62", "80"], "84": ["69", "01"], "11": ["75", "92"]}
USED_FAMILIES = [code for code, _label in FAMILIES[:3]]
MONTHS = [datetime.date(2026, month, 1) for month in (1, 2, 3, 4)]
COUNTED = list(COUNT_INDICATORS)


def _value(rng):
    draw = rng.random()
    if draw < 0.35:
        return 0
    if draw < 0.7:
        return rng.randint(1, 4)
    return rng.randint(5, 30)


def generated_rows(seed):
    """Des agrégats cohérents : pour les offres et les paires, toutes familles = somme des familles ; pour
    les candidat·es et les entreprises (plusieurs familles possibles), entre le maximum et la somme."""
    rng = random.Random(seed)
    rows = []
    for region, departements in TERRITORY.items():
        for departement in departements:
            for indicator in COUNTED:
                months = [None] if indicator in SNAPSHOT_INDICATORS else MONTHS
                for month in months:
                    by_family = {family: _value(rng) for family in USED_FAMILIES}
                    overall = sum(by_family.values())
                    if indicator not in ADDITIVE_BY_FAMILY:
                        overall -= rng.randint(0, min(sorted(by_family.values())[-2:]))
                    for family, value in [*by_family.items(), ("", overall)]:
                        if value:
                            rows.append(
                                Aggregate(
                                    indicator=indicator,
                                    month=month,
                                    region=region,
                                    departement=departement,
                                    family=family,
                                    value=value,
                                )
                            )
            rows.append(
                Aggregate(
                    indicator=Indicator.FIRST_CONTACT_DELAY,
                    month=MONTHS[0],
                    region=region,
                    departement=departement,
                    family="",
                    days=3,
                    value=rng.randint(1, 8),
                )
            )
    return rows


def _zone(zone_type, zone_code):
    return "fr" if zone_type == "france" else f"{zone_type[0]}{zone_code}"


def published_cells(client):
    """Toutes les cases publiées par les données ouvertes, pour chaque périmètre : {case: valeur}."""
    scopes = [{}]
    for region, departements in TERRITORY.items():
        scopes.append({"region": region})
        scopes += [{"departement": departement} for departement in departements]
    cells = {}
    for scope in scopes:
        for family in ["", *(code for code, _label in FAMILIES)]:
            params = {**scope, **({"famille": family} if family else {})}
            for line in client.get(reverse("stats:open_data_json"), params).json()["lignes"]:
                month = datetime.date.fromisoformat(f"{line['mois']}-01") if line["mois"] else None
                key = (line["indicateur"], _zone(line["zone_type"], line["zone_code"]), line["famille_code"], month)
                assert cells.setdefault(key, line["valeur"]) == line["valeur"], (key, params)
    return cells


def equalities():
    """Les égalités que tout le monde peut écrire entre les cases publiées : (total, parties)."""
    zones = ["fr", *(f"r{r}" for r in TERRITORY), *(f"d{d}" for ds in TERRITORY.values() for d in ds)]
    families = ["", *(code for code, _label in FAMILIES)]
    result = []
    for indicator in COUNTED:
        months = [None] if indicator in SNAPSHOT_INDICATORS else [None, *MONTHS]
        for family in families:
            for month in months:
                result.append(
                    ((indicator, "fr", family, month), [(indicator, f"r{r}", family, month) for r in TERRITORY])
                )
                for region, departements in TERRITORY.items():
                    result.append(
                        (
                            (indicator, f"r{region}", family, month),
                            [(indicator, f"d{d}", family, month) for d in departements],
                        )
                    )
            for zone in zones:
                if indicator not in SNAPSHOT_INDICATORS:
                    result.append(((indicator, zone, family, None), [(indicator, zone, family, m) for m in MONTHS]))
        if indicator in ADDITIVE_BY_FAMILY:
            for zone in zones:
                for month in months:
                    result.append(((indicator, zone, "", month), [(indicator, zone, f, month) for f in families[1:]]))
    return result


def recovered_cells(cells):
    """Les cases masquées que les égalités déterminent (coordonnée nulle dans tout le noyau)."""
    hidden = sorted((key for key, value in cells.items() if value == SECRET), key=str)
    position = {key: index for index, key in enumerate(hidden)}
    matrix = []
    for total, parts in equalities():
        row = np.zeros(len(hidden))
        for key, sign in [(total, 1.0), *((part, -1.0) for part in parts)]:
            if key in position:
                row[position[key]] = sign
        if row.any():
            matrix.append(row)
    _u, singular, vt = np.linalg.svd(np.array(matrix))
    kernel = vt[int((singular > 1e-9).sum()) :]
    # Une case masquée se calcule si elle est une combinaison des égalités : sa distance au noyau est nulle.
    distances = np.linalg.norm(kernel, axis=0) if kernel.shape[0] else np.zeros(len(hidden))
    return [hidden[i] for i in range(len(hidden)) if distances[i] < 1e-6]


@pytest.mark.parametrize("seed", [1, 2])
def test_no_masked_cell_can_be_computed_from_published_ones(client, seed):
    for region, departements in TERRITORY.items():
        for departement in departements:
            DepartementFactory(code=departement, region=RegionFactory(code=region))
    rows = generated_rows(seed)
    aggregates_replace(rows=rows)
    cells = published_cells(client)

    small = [row for row in rows if 0 < row.value < 5 and row.indicator != Indicator.FIRST_CONTACT_DELAY]
    hidden = [key for key, value in cells.items() if value == SECRET]
    assert len(small) >= 50 and len(hidden) >= len({(r.indicator, r.departement, r.family, r.month) for r in small})
    # Chaque égalité contrôlée tient avec les vraies valeurs (le test écrit bien les contraintes du cube).
    known = {key: int(value) for key, value in cells.items() if key[0] in COUNTED and value not in (SECRET, "")}
    for total, parts in equalities():
        if total in known and all(part in known for part in parts):
            assert known[total] == sum(known[part] for part in parts), total

    assert recovered_cells(cells) == []

    # La part des offres pourvues ne redonne pas un compte masqué (pourvues = part × publiées).
    for (indicator, zone, family, month), value in cells.items():
        if indicator == Indicator.OFFERS_FILLED and value == SECRET:
            assert cells.get((Indicator.FILLED_SHARE.value, zone, family, month), SECRET) in (SECRET, "")


def test_the_api_publishes_the_same_masked_cells(client):
    DepartementFactory(code="62", region=RegionFactory(code="32"))
    DepartementFactory(code="59", region=RegionFactory(code="32"))
    rows = [
        Aggregate(indicator=Indicator.CANDIDATES, month=MONTHS[0], region="32", departement=d, family="", value=v)
        for d, v in (("62", 40), ("59", 2))
    ]
    aggregates_replace(rows=rows)
    for params in ({}, {"region": "32"}):
        api = client.get("/api/v1/statistiques", params).json()["lignes"]
        open_data = client.get(reverse("stats:open_data_json"), params).json()["lignes"]
        assert api == open_data
    by_zone = {
        line["zone_code"]: line["valeur"]
        for line in open_data
        if line["section"] == "zone" and line["indicateur"] == Indicator.CANDIDATES
    }
    # Le Nord (2) est masqué, et le Pas-de-Calais avec lui : sinon 42 - 40 le redonnerait.
    assert by_zone == {"59": SECRET, "62": SECRET}
    totals = {line["indicateur"]: line["valeur"] for line in open_data if line["section"] == "total"}
    assert totals[Indicator.CANDIDATES] == "42"
