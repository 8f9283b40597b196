"""Le parcours (profils, paires, contacts, contrats) et la carte par département de /stats."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache

from matching.enums import MatchState
from stats.funnel import departement_map, departement_population, funnel_report
from stats.schema import table_schema
from stats.selectors import Scope, zone_labels
from stats.services import stats_refresh
from tests.stats.factories import candidates, commune_in, match, moment, offer, trade

pytestmark = pytest.mark.django_db


def _world(*, signed: int = 5):
    """10 jeunes inscrit·es en janvier, 8 avec une paire trois jours plus tard, 6 contacts deux jours après la
    paire, `signed` contrats dix jours après le contact."""
    arras = commune_in("62", population=20_000)
    bakery = trade("alimentation", "boulanger")
    young = candidates(10, commune=arras, trades=[bakery], created_at=moment(2026, 1, 1))
    offers = [offer(commune=arras, trade=bakery, published_at=moment(2026, 1, 1), positions=1) for _ in range(8)]
    for index, (candidate, job) in enumerate(zip(young[:8], offers, strict=True)):
        created = moment(2026, 1, 4)
        state = MatchState.PROPOSED
        connected = None
        if index < 6:
            connected = created + datetime.timedelta(days=2)
            state = MatchState.CONTRACT_SIGNED if index < signed else MatchState.CONNECTED
        pair = match(candidate=candidate, offer=job, state=state, created_at=created, connected_at=connected)
        if state == MatchState.CONTRACT_SIGNED:
            pair.outcome_at = connected + datetime.timedelta(days=10)
            pair.save(update_fields=["outcome_at"])
    stats_refresh()


def _step(funnel_row, code):
    return next(step for step in funnel_row.steps if step.code == code)


def test_funnel_counts_rates_and_median_delays():
    _world()
    funnel = funnel_report(Scope(), labels=zone_labels())
    total = funnel.total
    assert [step.count.data for step in total.steps] == ["10", "8", "8", "6", "5"]
    assert _step(total, "candidats_avec_paire").rate.data == "80"
    assert _step(total, "candidats_avec_paire").delay.data == "3"
    assert _step(total, "contacts").rate.data == "75"
    assert _step(total, "contacts").delay.data == "2"
    assert _step(total, "contrats_signes").rate.data == "83.3"
    assert _step(total, "contrats_signes").delay.data == "10"
    assert [month.code for month in funnel.months] == ["2026-01"]
    assert [row.code for row in funnel.by_zone] == ["32"]
    assert _step(funnel.by_family[0], "contrats_signes").count.data == "5"


def test_funnel_masks_small_counts_and_the_rates_built_on_them():
    _world(signed=3)
    total = funnel_report(Scope(), labels=zone_labels()).total
    contracts = _step(total, "contrats_signes")
    assert (contracts.count.data, contracts.rate.data, contracts.delay.data) == ("s", "s", "s")
    assert _step(total, "contacts").count.data == "6"


def test_map_gives_each_departement_per_10000_inhabitants():
    _world()
    commune_in("971", region="01", population=50_000)
    stats_refresh()
    cells = {
        cell.code: cell
        for cell in departement_map(family="", labels=zone_labels(), population=departement_population())
    }
    assert set(cells) == {"62", "971"}  # l'outre-mer a sa case
    arras = cells["62"]
    assert arras.counts["contrats_signes"].data == "5"
    assert arras.rates["contrats_signes"].data == "2.5"  # 5 contrats pour 20 000 habitants
    paris = departement_map(family="", labels=zone_labels(), population={"62": 2_000_000})[0]
    assert paris.rates["contrats_signes"].data == "0.03"  # peu de contrats, beaucoup d'habitants : pas « 0 »
    assert arras.level > cells["971"].level
    assert cells["971"].rates["contrats_signes"].data == "0"


def test_open_data_carries_the_funnel_and_the_map_with_their_schema(client):
    cache.clear()
    _world()
    rows = list(csv.DictReader(io.StringIO(client.get("/stats/donnees.csv").content.decode())))
    funnel = {row["indicateur"]: row["valeur"] for row in rows if row["section"] == "parcours" and not row["mois"]
              and row["zone_type"] == "france" and not row["famille_code"]}  # fmt: skip
    assert funnel["taux_contrat"] == "83.3" and funnel["delai_contrat"] == "10"
    carte = {row["indicateur"]: row["valeur"] for row in rows if row["section"] == "carte"}
    assert (carte["contrats_signes"], carte["population"]) == ("5", "20000")
    schema = table_schema()
    fields = {field["name"]: field for field in schema["fields"]}
    for row in rows:
        assert row["section"] in fields["section"]["constraints"]["enum"]
        assert row["indicateur"] in fields["indicateur"]["constraints"]["enum"]
        assert row["unite"] in fields["unite"]["constraints"]["enum"]
    page = client.get("/stats").content.decode()
    assert 'data-parcours="taux_contrat" data-valeur="83.3"' in page
    assert 'data-departement="62"' in page


def test_tile_map_places_every_departement_overseas_included_once():
    from geo.models import Departement  # noqa: F401 (les codes viennent du fichier de l'Insee)
    from stats.tilemap import TILES

    assert len(TILES) == 101 and {"971", "972", "973", "974", "976", "2A", "2B"} <= set(TILES)
    assert len(set(TILES.values())) == len(TILES)  # une case chacun
