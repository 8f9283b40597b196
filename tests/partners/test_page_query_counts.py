"""Les listes publiques d'offres (recherche /offres, module des partenaires, plan du site, flux JSON) : autant de
requêtes pour une offre que pour dix."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import indexes
from offers.selectors import offers_version_bump
from partners.services import widget_create
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arques():
    CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.7500, lng=2.2520)
    return CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.7360, lng=2.3030)


def add_offers(commune, count):
    for _ in range(count):
        OfferFactory(company=CompanyFactory(commune=commune), commune=commune, trade=TradeFactory(code="boulanger"))
    indexes.offer_index_rebuild()


def queries(client, url, params=None) -> int:
    """Les requêtes d'un second affichage (le premier remplit l'index des communes et les caches), recalculé :
    la page gardée en cache sous la version des offres ne l'est plus (ce que font les services après l'écriture
    d'une offre)."""
    client.get(url, params or {})
    offers_version_bump()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_search_runs_the_same_queries_for_1_and_10_offers(client, arques):
    url, params = reverse("partners:offer_search"), {"commune": "62765", "rayon": "30", "metier": "boulanger"}
    add_offers(arques, 1)
    one = queries(client, url, params)
    add_offers(arques, 9)
    assert queries(client, url, params) == one
    assert client.get(url, params).content.decode().count('href="/offres/') == 10


def test_widget_runs_the_same_queries_for_1_and_10_offers(client, arques):
    widget = widget_create(name="CMA Hauts-de-France", slug="cma-hdf", origins=["https://cfa.fr"])
    url, params = reverse("partners:widget", kwargs={"slug": widget.slug}), {"commune": "62765", "rayon": "30"}
    add_offers(arques, 1)
    one = queries(client, url, params)
    add_offers(arques, 9)
    assert queries(client, url, params) == one
    assert client.get(url, params).content.decode().count("/offres/") >= 10


def test_sitemap_runs_the_same_queries_for_1_and_10_offers(client, arques):
    url = reverse("partners:sitemap")
    add_offers(arques, 1)
    one = queries(client, url)
    add_offers(arques, 9)
    assert queries(client, url) == one
    assert client.get(url).content.decode().count("/offres/") == 10


def test_feed_runs_the_same_queries_for_1_and_10_offers(client, arques):
    url = reverse("api:offers_feed")
    add_offers(arques, 1)
    one = queries(client, url)
    add_offers(arques, 9)
    assert queries(client, url) == one
    assert client.get(url).json()["count"] == 10
