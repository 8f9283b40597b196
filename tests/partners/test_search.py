"""La recherche publique d'offres, sans compte : /offres."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import indexes, rematch
from offers import services
from offers.enums import OfferStatus
from offers.models import Offer
from offers.selectors import offers_version_bump
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    """Saint-Omer, Arques (5 km), Aire-sur-la-Lys (18 km), Lille (60 km)."""
    return {
        "saint_omer": CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.7500, lng=2.2520),
        "arques": CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.7360, lng=2.3030),
        "aire": CommuneFactory(code="62014", name="Aire-sur-la-Lys", postal_codes=["62120"], lat=50.6390, lng=2.3960),
        "lille": CommuneFactory(code="59350", name="Lille", postal_codes=["59000"], lat=50.6330, lng=3.0580),
    }


def _offer(commune, trade=None, **kwargs):
    company = CompanyFactory(commune=commune, **kwargs.pop("company", {}))
    return OfferFactory(company=company, commune=commune, trade=trade or TradeFactory(), **kwargs)


def _search(client, **params):
    return client.get(reverse("partners:offer_search"), params)


def _without_nonce(html: str) -> str:
    """La page sans le nonce de la CSP, propre à chaque réponse."""
    return re.sub(r'nonce="[^"]*"', "", html)


def test_search_lists_offers_within_radius_closest_first_with_reasons(client, places):
    far = _offer(places["aire"])
    near = _offer(places["arques"])
    _offer(places["lille"])
    indexes.offer_index_rebuild()
    response = _search(client, commune="Saint-Omer", rayon="30", metier="boulanger")
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [card.offer.pk for card in cards] == [near.pk, far.pk]
    assert response.context["count"] == 2
    assert cards[0].reasons[:2] == ["à 4 km", "même métier : Boulanger / Boulangère"]
    html = response.content.decode()
    assert "2 offres à moins de 30 km de Saint-Omer" in html
    # Chaque carte invite à s'inscrire avec la recherche pré-remplie.
    assert "/candidat/inscription?commune=62765&amp;rayon=30&amp;metier=boulanger" in html


def test_offers_of_unverified_or_suspended_companies_are_not_listed(client, places):
    listed = _offer(places["arques"])
    _offer(places["arques"], company={"unverified": True})
    _offer(places["arques"], matching_suspended=True)
    _offer(places["arques"], status=OfferStatus.DRAFT, published_at=None)
    indexes.offer_index_rebuild()
    response = _search(client, commune="62765", rayon="30")
    assert [card.offer.pk for card in response.context["cards"]] == [listed.pk]


def test_public_api_hides_offers_of_unverified_companies(client, places):
    """Avant : l'API publique et l'export montraient les offres publiées d'entreprises non vérifiées."""
    listed = _offer(places["arques"])
    hidden = _offer(places["arques"], company={"unverified": True})
    ids = [offer["id"] for offer in client.get("/api/v1/offres").json()["results"]]
    assert listed.pk in ids
    assert hidden.pk not in ids
    assert client.get(reverse("partners:offer_detail", kwargs={"pk": hidden.pk})).status_code == 404


def test_trade_family_and_level_filter(client, places):
    bakery = _offer(places["arques"], levels=["3"])
    pastry = _offer(places["arques"], trade=TradeFactory(code="patissier", family="alimentation"), levels=[])
    hair = _offer(places["arques"], trade=TradeFactory(code="coiffeur", family="beaute_soins"), levels=["4"])
    indexes.offer_index_rebuild()

    def found(**params):
        response = _search(client, commune="62765", **params)
        assert response.status_code == 200, response.context["form"].errors
        return {card.offer.pk for card in response.context["cards"]}

    assert found(famille="alimentation") == {bakery.pk, pastry.pk}
    assert found(metier="coiffeur") == {hair.pk}
    assert found(niveau="4") == {pastry.pk, hair.pk}
    assert found() == {bakery.pk, pastry.pk, hair.pk}


def test_results_are_paged(client, places):
    offers = [_offer(places["arques"]) for _ in range(12)]
    indexes.offer_index_rebuild()
    first = _search(client, commune="62765")
    second = _search(client, commune="62765", page="2")
    assert len(first.context["cards"]) == 10
    assert [card.number for card in second.context["cards"]] == [11, 12]
    seen = {card.offer.pk for card in first.context["cards"] + second.context["cards"]}
    assert seen == {offer.pk for offer in offers}


def test_map_draws_circle_origin_and_numbered_offers(client, places):
    _offer(places["arques"])
    _offer(places["lille"])
    indexes.offer_index_rebuild()
    response = _search(client, commune="62765", rayon="100")
    drawing = response.context["map"]
    assert [point.number for point in drawing["numbered"]] == [2, 1]
    html = response.content.decode()
    assert '<svg class="cmc-map__svg"' in html
    # Avant : les coordonnées sortaient à la française (« 160,0 ») et le navigateur ne dessinait rien.
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r'\s(?:cx|cy|r|x|y|x1|x2|y1|y2)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates
    assert 'role="img"' in html
    assert "Carte des offres autour de Saint-Omer" in html
    # Lille, à l'est de Saint-Omer : à droite du centre ; Arques, tout près : près du centre.
    lille, arques = drawing["numbered"][0], drawing["numbered"][1]
    assert lille.x > drawing["center"] + 50
    assert abs(arques.x - drawing["center"]) < 10


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"commune": "Zzyzxville"}, "commune", "Commune inconnue"),
        ({"commune": "62765", "rayon": "0"}, "rayon", "au moins 1 km"),
        ({"commune": "62765", "rayon": "201"}, "rayon", "dépasser 200 km"),
        ({"commune": "62765", "rayon": "loin"}, "rayon", "nombre entier"),
        ({"commune": "62765", "metier": "astronaute"}, "metier", "Métier inconnu"),
        ({"commune": "62765", "famille": "espace"}, "famille", "Famille de métiers inconnue"),
        ({"commune": "62765", "niveau": "9"}, "niveau", "Niveau inconnu"),
        ({"rayon": "30"}, "commune", "Indique ta commune"),
        ({"commune": "62765", "famille": "batiment", "metier": "boulanger"}, "metier", "pas dans la famille"),
    ],
)
def test_bad_input_gets_a_clear_french_message(client, places, params, field, message):
    TradeFactory()
    response = _search(client, **params)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert message in " ".join(errors)
    assert message in response.content.decode().replace("&#x27;", "'")


def test_page_out_of_range_answers_404_with_a_french_message(client, places):
    _offer(places["arques"])
    indexes.offer_index_rebuild()
    for page in ("3", "abc", "0"):
        response = _search(client, commune="62765", page=page)
        assert response.status_code == 404
        html = response.content.decode().replace("&#x27;", "'")
        assert "Cette page de résultats n'existe pas : il y en a 1." in html


def test_a_shared_address_shows_the_commune_name_not_its_code(client, places):
    response = _search(client, commune="62765")
    assert 'value="Saint-Omer (62500)"' in response.content.decode()


def test_search_page_without_parameters_shows_the_form_only(client):
    response = _search(client)
    assert response.status_code == 200
    assert response.context["form"].is_bound is False
    assert "cards" not in response.context


def test_no_result_invites_to_sign_up(client, places):
    response = _search(client, commune="62765", metier="", rayon="10")
    assert "Aucune offre à moins de 10 km de Saint-Omer" in response.content.decode()
    assert response.context["signup_url"] == "/candidat/inscription?commune=62765&rayon=10"


def test_search_query_count_does_not_grow_with_results(client, places, django_assert_max_num_queries):
    for _ in range(10):
        _offer(places["arques"])
    indexes.offer_index_rebuild()
    _search(client, commune="62765")  # index des communes et cache chauds
    with django_assert_max_num_queries(8):
        response = _search(client, commune="62765", metier="boulanger")
    assert len(response.context["cards"]) == 10


def test_a_search_already_made_is_read_from_the_cache_until_an_offer_changes(
    client, places, django_capture_on_commit_callbacks
):
    bakery = _offer(places["arques"])
    draft = _offer(places["aire"], draft=True)
    indexes.offer_index_rebuild()
    params = {"commune": "62765", "rayon": "30"}
    first = _search(client, **params)
    with CaptureQueriesContext(connection) as captured:
        again = _search(client, **params)
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    html = again.content.decode()
    assert _without_nonce(html) == _without_nonce(first.content.decode()) and f"/offres/{bakery.pk}?" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    # Le titre suit la recherche, lue du cache elle aussi.
    assert "<title>Offres d'apprentissage autour de Saint-Omer" in html.replace("&#x27;", "'")
    assert [_search(client, page="9", **params).status_code for _ in range(2)] == [404, 404]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_publish(offer=draft)
        services.offer_archive(offer=bakery)
    html = _search(client, **params).content.decode()
    assert f"/offres/{draft.pk}?" in html and f"/offres/{bakery.pk}?" not in html


def test_the_search_follows_the_offer_index_updated_after_the_offer(client, places, django_capture_on_commit_callbacks):
    """L'index des offres, que lit la recherche, est mis à jour en tâche de fond, après la nouvelle version des
    offres : une recherche gardée en cache entre les deux est périmée à son tour."""
    draft = _offer(places["arques"], draft=True)
    indexes.offer_index_rebuild()
    with django_capture_on_commit_callbacks(execute=False):  # la tâche de fond ne part pas encore
        services.offer_publish(offer=draft)
    offers_version_bump()  # la nouvelle version, sans l'index à jour
    assert f"/offres/{draft.pk}?" not in _search(client, commune="62765").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rematch.rematch_offer(draft.pk)  # la tâche de fond
    assert f"/offres/{draft.pk}?" in _search(client, commune="62765").content.decode()
    Offer.objects.filter(pk=draft.pk).update(status=OfferStatus.ARCHIVED)
    with django_capture_on_commit_callbacks(execute=True):
        indexes.offer_index_rebuild()  # l'index refait en entier
    assert f"/offres/{draft.pk}?" not in _search(client, commune="62765").content.decode()
