import datetime

import pytest
from django.conf import settings
from django.core.management import call_command

from matching.enums import MatchState
from offers.enums import OfferStatus
from stats.enums import SECRET, Indicator
from stats.models import Aggregate, Refresh
from stats.selectors import Scope, median_figure, share_figure, stats_report
from stats.services import stats_refresh
from stats.tasks import refresh_stats
from tests.stats.factories import candidates, commune_in, match, moment, offer, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    """Hauts-de-France (62 et 59) et Auvergne-Rhône-Alpes (69) ; alimentation et bâtiment."""
    arras, lille, lyon = commune_in("62"), commune_in("59"), commune_in("69", region="84")
    bakery, mason = trade("alimentation", "boulanger"), trade("batiment", "macon")
    young_arras = candidates(6, commune=arras, trades=[bakery], created_at=moment(2026, 1))
    candidates(3, commune=lille, trades=[mason], created_at=moment(2026, 2))
    candidates(2, commune=lyon, trades=[bakery], created_at=moment(2026, 2))
    published = moment(2026, 3, 2)
    offers = [offer(commune=arras, trade=bakery, published_at=published) for _ in range(6)]
    offers.append(
        offer(commune=arras, trade=bakery, published_at=published, status=OfferStatus.FILLED, filled_positions=1)
    )
    offer(commune=arras, trade=bakery, published_at=None, status=OfferStatus.DRAFT)
    states = [MatchState.CONNECTED, MatchState.INTERVIEW] + [MatchState.CONTRACT_SIGNED] * 3
    for position, (state, days) in enumerate(zip(states, [1, 2, 3, 4, 10], strict=True)):
        match(
            candidate=young_arras[position],
            offer=offers[position],
            state=state,
            created_at=published,
            connected_at=published + datetime.timedelta(days=days, hours=1),
        )
    match(candidate=young_arras[5], offer=offers[5], created_at=published)
    stats_refresh()


def figures(report):
    return {code: figure.data for code, figure in report.totals.items()}


def test_totals_come_from_the_data_with_statistical_secrecy(dataset):
    assert figures(stats_report()) == {
        Indicator.CANDIDATES: "11",
        Indicator.EMPLOYERS: "8",
        Indicator.OFFERS_PUBLISHED: "7",
        Indicator.OFFERS_OPEN: "6",
        Indicator.OFFERS_FILLED: SECRET,  # 1 offre pourvue
        Indicator.MATCHES: "6",
        Indicator.CONTACTS: "5",
        Indicator.CONTRACTS: SECRET,  # 3 contrats
        Indicator.FILLED_SHARE: SECRET,  # calculée avec 1 offre pourvue
        Indicator.FIRST_CONTACT_DELAY: "3",  # 1, 2, 3, 4, 10 jours
        Indicator.CANDIDATES_MATCHED: "6",  # les 6 jeunes d'Arras qui ont une paire
    }


def test_monthly_series_start_with_the_first_month(dataset):
    report = stats_report()
    assert report.months[0] == datetime.date(2026, 1, 1)
    series = dict(zip(report.months, report.monthly[Indicator.CANDIDATES], strict=True))
    assert series[datetime.date(2026, 1, 1)].data == "6"
    assert series[datetime.date(2026, 2, 1)].data == "5"
    assert series[datetime.date(2026, 3, 1)].data == "0"
    offers = dict(zip(report.months, report.monthly[Indicator.OFFERS_PUBLISHED], strict=True))
    assert offers[datetime.date(2026, 3, 1)].data == "7"
    assert Indicator.OFFERS_OPEN not in report.monthly


def test_breakdowns_by_region_and_family_hide_small_counts(dataset):
    report = stats_report()
    assert report.zone_kind == "region"
    by_region = {zone.code: zone.figures for zone in report.by_zone}
    # 2 jeunes en Auvergne-Rhône-Alpes : masqué, et les 9 des Hauts-de-France avec (11 - 9 le redonnerait).
    assert by_region["84"][Indicator.CANDIDATES].data == SECRET
    assert by_region["84"][Indicator.CANDIDATES].display == "secret"
    assert by_region["32"][Indicator.CANDIDATES].data == SECRET
    assert report.totals[Indicator.CANDIDATES].data == "11"
    by_family = {family.code: family.figures for family in report.by_family}
    assert by_family["alimentation"][Indicator.CANDIDATES].data == "8"
    assert by_family["batiment"][Indicator.CANDIDATES].data == SECRET
    assert by_family["beaute_soins"][Indicator.CANDIDATES].data == "0"


def test_scope_filters_region_departement_and_family(dataset):
    region = stats_report(Scope(region="32"))
    assert region.totals[Indicator.CANDIDATES].data == SECRET  # masqué en second (voir ci-dessus)
    assert region.zone_kind == "departement"
    assert {zone.code: zone.figures[Indicator.CANDIDATES].data for zone in region.by_zone} == {
        "59": SECRET,
        "62": "6",
    }
    departement = stats_report(Scope(region="32", departement="62", family="alimentation"))
    assert departement.by_zone == [] and departement.by_family == []
    # Les 6 jeunes d'Arras en alimentation sont toute l'alimentation des Hauts-de-France, laquelle, à côté des
    # 2 de Lyon, redonnerait le total national en alimentation : masqués aussi.
    assert departement.totals[Indicator.CANDIDATES].data == SECRET
    assert departement.totals[Indicator.OFFERS_PUBLISHED].data == "7"
    assert "Pas-de-Calais (62), Alimentation" in departement.scope_label
    assert stats_report(Scope(family="batiment")).totals[Indicator.OFFERS_PUBLISHED].data == "0"


def test_refresh_replaces_aggregates_and_records_when(dataset):
    first = Aggregate.objects.count()
    assert first > 0
    stats_refresh()
    assert Aggregate.objects.count() == first
    assert Refresh.objects.count() == 1
    assert Aggregate.objects.filter(indicator=Indicator.FIRST_CONTACT_DELAY, days=10, family="").exists()


def test_refresh_command_and_periodic_task(db):
    arras = commune_in("62")
    candidates(5, commune=arras, trades=[trade()], created_at=moment(2026, 4))
    call_command("refresh_stats")
    assert stats_report().totals[Indicator.CANDIDATES].data == "5"
    assert settings.PERIODIC_TASKS["stats.tasks.refresh_stats"] == 3600
    candidates(1, commune=arras, trades=[trade()], created_at=moment(2026, 4))
    refresh_stats.enqueue()  # file immédiate en test
    assert stats_report().totals[Indicator.CANDIDATES].data == "6"


def test_nothing_computed_yet():
    report = stats_report()
    assert report.computed_at is None
    assert report.months == []
    assert report.totals[Indicator.CANDIDATES].data == "0"
    assert report.totals[Indicator.FIRST_CONTACT_DELAY].data == ""


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [({2: 5}, "2"), ({1: 1, 2: 1, 3: 1, 4: 1, 10: 2}, "3.5"), ({0: 3, 7: 2}, "0"), ({1: 4}, SECRET), ({}, "")],
)
def test_median_from_histogram(histogram, expected):
    assert median_figure(histogram).data == expected


def test_share_of_filled_offers():
    assert share_figure(5, 20).data == "25"
    assert share_figure(0, 8).data == "0"
    assert share_figure(5, 15).display == "33,3 %"
    assert share_figure(3, 20).data == SECRET
    assert share_figure(0, 0).display == "—"
