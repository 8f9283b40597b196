"""La page des statistiques et ses données ouvertes : autant de requêtes pour une région que pour six, au
premier affichage après un calcul (le cache est vide) comme aux suivants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stats.services import stats_refresh
from tests.stats.factories import candidates, commune_in, match, moment, offer, trade

pytestmark = pytest.mark.django_db

PAGES = ["stats:index", "stats:open_data_csv", "stats:open_data_json"]


def add_regions(codes):
    """Dans chaque région : 6 jeunes, autant d'offres et de paires, puis un nouveau calcul des agrégats."""
    bakery = trade("alimentation", "boulanger")
    for code in codes:
        commune = commune_in(code, region=code)
        for candidate in candidates(6, commune=commune, trades=[bakery], created_at=moment(2026, 1)):
            match(candidate=candidate, offer=offer(commune=commune, trade=bakery, published_at=moment(2026, 2)))
    stats_refresh()


def queries(client, url) -> tuple[int, int]:
    """(requêtes du premier affichage, requêtes du second)."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return counts[0], counts[1]


@pytest.mark.parametrize("name", PAGES)
def test_the_same_queries_for_1_and_6_regions(client, name):
    add_regions(["11"])
    one = queries(client, reverse(name))
    add_regions(["24", "27", "28", "32", "44"])
    assert queries(client, reverse(name)) == one
