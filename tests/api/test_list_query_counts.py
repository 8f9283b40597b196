"""Les listes de l'API (communes, métiers, statistiques ; la recherche d'offres a ses tests dans test_offers.py) :
autant de requêtes pour une ligne que pour plusieurs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stats.services import stats_refresh
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory, RegionFactory
from tests.offers.factories import TradeFactory

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> int:
    """Les requêtes d'un second appel (le premier remplit l'index des communes et les caches)."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_communes_run_the_same_queries_for_1_and_8_results(client):
    url, params = reverse("api:commune_list"), {"q": "arras"}
    CommuneFactory(name="Arras", postal_codes=["62000"], population=40000)
    one = queries(client, url, params)
    for position in range(7):
        CommuneFactory(name=f"Arras-{position}", postal_codes=["62000"], population=100 + position)
    assert queries(client, url, params) == one
    assert len(client.get(url, params).json()) == 8


def test_trades_run_the_same_queries_for_1_and_8_trades(client):
    url = reverse("api:trade_list")
    TradeFactory(code="boulanger")
    one = queries(client, url)
    for position in range(7):
        TradeFactory(code=f"metier_{position}")
    assert queries(client, url) == one
    assert len(client.get(url).json()) == 8


def test_statistics_run_the_same_queries_for_1_and_6_regions(client):
    url = reverse("api:statistics")

    def add_regions(first, count):
        for code in range(first, first + count):
            region = RegionFactory(code=str(code))
            commune = CommuneFactory(departement=DepartementFactory(code=str(code), region=region))
            CandidateProfileFactory(commune=commune)
        stats_refresh()

    add_regions(11, 1)
    one = queries(client, url)
    add_regions(20, 5)
    assert queries(client, url) == one
