"""La recherche de communes (liste de suggestions) : autant de requêtes pour un résultat que pour huit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.geo.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def queries(client, url, params) -> int:
    """Les requêtes d'une recherche pas encore en cache (une commune ajoutée change la clé du cache)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_search_runs_the_same_queries_for_1_and_8_results(client):
    url, params = reverse("geo:commune_search"), {"q": "arras"}
    CommuneFactory(name="Arras", postal_codes=["62000"], population=40000)
    one = queries(client, url, params)
    for position in range(7):
        CommuneFactory(name=f"Arras-{position}", postal_codes=["62000"], population=100 + position)
    assert queries(client, url, params) == one
    assert len(client.get(url, params).json()["results"]) == 8
