import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.enums import ContractType
from offers import services
from offers.enums import OfferStatus
from offers.selectors import offers_version_bump
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory
from tests.offers.factories import OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/offres"


@pytest.fixture
def places():
    """Arras, Lens (≈ 18 km), Lille (≈ 45 km), Marseille (≈ 800 km)."""
    return {
        "arras": CommuneFactory(code="62041", name="Arras", postal_codes=["62000"], lat=50.2910, lng=2.7775),
        "lens": CommuneFactory(code="62498", name="Lens", postal_codes=["62300"], lat=50.4322, lng=2.8333),
        "lille": CommuneFactory(code="59350", name="Lille", postal_codes=["59000"], lat=50.6292, lng=3.0573),
        "marseille": CommuneFactory(code="13055", name="Marseille", postal_codes=["13001"], lat=43.2965, lng=5.3698),
    }


@pytest.fixture
def baker():
    return TradeFactory(code="boulanger", label="Boulanger / Boulangère", family="alimentation", rome_codes=["D1102"])


@pytest.fixture
def plumber():
    return TradeFactory(code="plombier", label="Plombier / Plombière", family="batiment", rome_codes=["F1603"])


def at(commune, trade, **kwargs):
    return OfferFactory(company__commune=commune, commune=commune, trade=trade, **kwargs)


def get(client, **params):
    return client.get(URL, params)


def test_radius_search_sorted_by_distance(client, places, baker):
    lille, arras, lens = at(places["lille"], baker), at(places["arras"], baker), at(places["lens"], baker)
    at(places["marseille"], baker)
    at(places["arras"], baker, status=OfferStatus.DRAFT, published_at=None)
    at(places["arras"], baker, status=OfferStatus.FILLED)

    body = get(client, commune="62041", rayon=30).json()
    assert body["count"] == 2
    assert [offer["id"] for offer in body["results"]] == [arras.pk, lens.pk]
    assert body["results"][0]["distance_km"] == 0
    assert 15 < body["results"][1]["distance_km"] < 20

    body = get(client, commune="62000", rayon=60).json()  # code postal
    assert [offer["id"] for offer in body["results"]] == [arras.pk, lens.pk, lille.pk]
    assert get(client).json()["count"] == 4  # sans commune : toutes les offres publiées


def test_result_fields(client, places, baker):
    offer = at(places["arras"], baker, levels=["3", "4"], company__name="Boulangerie Martin")
    result = get(client, commune="62041").json()["results"][0]
    assert result == {
        "id": offer.pk,
        "entreprise": "Boulangerie Martin",
        "commune": {"code": "62041", "nom": "Arras", "departement": "62"},
        "distance_km": 0.0,
        "metier": {
            "code": "boulanger",
            "libelle": "Boulanger / Boulangère",
            "famille": "alimentation",
            "famille_libelle": "Alimentation",
            "codes_rome": ["D1102"],
        },
        "niveaux": [
            {"code": "3", "libelle": "Niveau 3 : CAP, BEP"},
            {"code": "4", "libelle": "Niveau 4 : Bac pro, BP, BTM"},
        ],
        "types_contrat": [{"code": "apprentissage", "libelle": "Contrat d'apprentissage"}],
        "debut": None,
        "postes": 1,
        "publiee_le": result["publiee_le"],
        "url": f"http://testserver/offres/{offer.pk}",
    }


def test_filters_by_trade_level_and_contract_type(client, places, baker, plumber):
    bread = at(places["arras"], baker, levels=["3"])
    any_level = at(places["arras"], baker, levels=[])
    pipes = at(places["arras"], plumber, levels=["4"], contract_types=[ContractType.PROFESSIONNALISATION.value])

    def ids(**params):
        return {offer["id"] for offer in get(client, commune="62041", **params).json()["results"]}

    assert ids(metier="boulanger") == {bread.pk, any_level.pk}
    assert ids(metier="F1603") == {pipes.pk}
    assert ids(metier="f1603") == {pipes.pk}
    assert ids(niveau="3") == {bread.pk, any_level.pk}
    assert ids(niveau="4") == {any_level.pk, pipes.pk}
    assert ids(type_contrat="professionnalisation") == {pipes.pk}
    assert ids(type_contrat="apprentissage") == {bread.pk, any_level.pk}


def test_pagination(client, places, baker):
    offers = [at(places["arras"], baker) for _ in range(5)]
    first = get(client, commune="62041", par_page=2).json()
    assert first["count"] == 5
    assert first["previous"] is None
    assert [offer["id"] for offer in first["results"]] == [offers[0].pk, offers[1].pk]
    assert first["next"].startswith("http://testserver/api/v1/offres?")
    second = client.get(first["next"]).json()
    assert [offer["id"] for offer in second["results"]] == [offers[2].pk, offers[3].pk]
    third = client.get(second["next"]).json()
    assert [offer["id"] for offer in third["results"]] == [offers[4].pk]
    assert third["next"] is None
    assert third["previous"]
    assert get(client, commune="62041", page=9).json()["results"] == []
    newest = get(client, par_page=1).json()["results"][0]
    assert newest["id"] == offers[-1].pk


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"commune": "99999"}, "commune", "Commune inconnue"),
        ({"commune": "Nullepart"}, "commune", "Commune inconnue"),
        ({"commune": "62041", "rayon": "-5"}, "rayon", "rayon"),
        ({"commune": "62041", "rayon": "0"}, "rayon", "rayon"),
        ({"commune": "62041", "rayon": "201"}, "rayon", "au plus égal à 200"),
        ({"commune": "62041", "rayon": "loin"}, "rayon", "nombre de kilomètres"),
        ({"commune": "62041", "rayon": "nan"}, "rayon", "nombre de kilomètres"),
        ({"metier": "astronaute"}, "metier", "Métier inconnu"),
        ({"niveau": "9"}, "niveau", "Niveau inconnu"),
        ({"type_contrat": "cdi"}, "type_contrat", "Type de contrat inconnu"),
        ({"page": "0"}, "page", "numéro de page"),
        ({"page": "deux"}, "page", "numéro de page"),
        ({"par_page": "101"}, "par_page", "entre 1 et 100"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, places, baker, params, parameter, words):
    response = get(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["erreurs"]
    assert [error["parametre"] for error in errors] == [parameter]
    assert words in errors[0]["message"]


def test_no_personal_data_in_any_response(client, places, baker):
    offer = at(
        places["arras"],
        baker,
        company__member=None,
        description="Appelez Jeanne au 0699887766",
    )
    member = offer.company.members.get()
    member.first_name, member.last_name, member.email, member.phone = (
        "Gérard",
        "Patronyme",
        "patron@secret.fr",
        "0611223344",
    )
    member.save()
    CandidateProfileFactory(
        commune=places["arras"],
        user__email="jeune@secret.fr",
        user__phone="0755443322",
        user__first_name="Kévin",
        user__last_name="Jeunenom",
    )
    forbidden = [
        "patron@secret.fr",
        "0611223344",
        "Patronyme",
        "jeune@secret.fr",
        "0755443322",
        "Jeunenom",
        "0699887766",
    ]
    for url in [
        URL,
        f"{URL}?commune=62041",
        "/api/v1/communes?q=arr",
        "/api/v1/metiers",
        "/api/v1/niveaux",
        "/api/v1/types-contrat",
        "/api/v1/statistiques",
        "/api/v1/openapi.json",
        f"/offres/{offer.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert not [word for word in forbidden if word in content], url


def test_public_offer_page(client, places, baker):
    offer = at(places["arras"], baker, company__name="Boulangerie Martin")
    response = client.get(reverse("partners:offer_detail", args=[offer.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Boulanger / Boulangère en alternance à Arras" in content
    assert f'href="/candidat/inscription?metier={baker.code}"' in content  # le métier de l'offre pré-rempli
    draft = at(places["arras"], baker, status=OfferStatus.DRAFT, published_at=None)
    assert client.get(reverse("partners:offer_detail", args=[draft.pk])).status_code == 404


def test_infinite_radius_is_refused(client):
    response = client.get("/api/v1/offres", {"commune": "62041", "rayon": "1e400"})
    assert response.status_code == 400
    assert json.loads(response.content)["erreurs"][0]["parametre"] == "rayon"


@pytest.mark.parametrize("params", [{"commune": "62041", "rayon": 30}, {}, {"metier": "boulanger", "niveau": "3"}])
def test_search_runs_the_same_queries_for_1_and_25_offers(client, places, baker, params, django_assert_num_queries):
    at(places["arras"], baker)
    get(client, **params)  # index des communes construit une fois par processus
    offers_version_bump()
    with CaptureQueriesContext(connection) as one:
        assert get(client, **params).json()["count"] == 1
    for position in range(24):
        at(places["lens" if position % 2 else "arras"], baker)
    offers_version_bump()  # ce que font les services après l'écriture d'une offre (offers.receivers)
    with django_assert_num_queries(len(one)):
        body = get(client, **params).json()
    assert body["count"] == 25 and len(body["results"]) == 20


def test_search_remembers_the_origin_commune_until_a_commune_changes(client, places, baker, django_assert_num_queries):
    arras = at(places["arras"], baker)
    get(client, commune="62000", rayon=30)
    offers_version_bump()  # la réponse entière n'est plus en cache, la commune de départ si
    with django_assert_num_queries(2):  # les offres de la zone, puis celles de la page
        assert [offer["id"] for offer in get(client, commune="62000", rayon=30).json()["results"]] == [arras.pk]
    places["arras"].postal_codes.all().delete()
    places["lens"].postal_codes.create(code="62000")
    places["lens"].save()  # une commune change : la correspondance est relue
    body = get(client, commune="62000", rayon=5).json()
    assert body["count"] == 0


def test_radius_search_pages_follow_distance_then_identifier(client, places, baker):
    """Des communes à la même distance (même emplacement) forment un seul rang : leurs offres s'y mêlent par
    identifiant ; chaque page, quelle que soit sa taille, reprend exactement cet ordre."""
    twin = CommuneFactory(code="62042", name="Arras-Jumelle", postal_codes=["62001"], lat=50.2910, lng=2.7775)
    communes = [places["lens"], places["arras"], twin, places["lille"], places["lens"], twin, places["arras"]]
    offers = [at(communes[position % len(communes)], baker) for position in range(17)]
    distance = {"62041": 0, "62042": 0, "62498": 1, "59350": 2}
    expected = [offer.pk for offer in sorted(offers, key=lambda offer: (distance[offer.commune_id], offer.pk))]
    for size in (1, 2, 3, 7, 17, 20):
        seen = []
        for page in range(1, 19 // size + 2):
            body = get(client, commune="62041", rayon=60, par_page=size, page=page).json()
            assert body["count"] == 17
            seen += [offer["id"] for offer in body["results"]]
        assert seen == expected, size


def test_radius_search_sorts_and_cuts_the_page_in_sql(client, places, baker):
    """Les offres de la zone ne sont pas toutes lues : un compte par commune, puis la page seule (LIMIT)."""
    for position in range(30):
        at(places["lens" if position % 2 else "arras"], baker)
    get(client, commune="62041", rayon=30)
    with CaptureQueriesContext(connection) as queries:
        body = get(client, commune="62041", rayon=30, par_page=5, page=2).json()
    assert body["count"] == 30 and len(body["results"]) == 5
    offer_queries = [query["sql"] for query in queries if '"offers_offer"' in query["sql"]]
    assert len(offer_queries) == 2
    assert "GROUP BY" in offer_queries[0] and "LIMIT 5" in offer_queries[1] and "OFFSET 5" in offer_queries[1]


def test_a_search_already_made_is_read_from_the_cache_until_an_offer_changes(
    client, places, baker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    offer = at(places["arras"], baker)
    first = get(client, commune="62041", rayon=30)
    with django_assert_num_queries(0):
        again = get(client, commune="62041", rayon=30)
    assert again.content == first.content and again["Content-Type"] == "application/json; charset=utf-8"
    assert [found["id"] for found in again.json()["results"]] == [offer.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_archive(offer=offer)
    assert get(client, commune="62041", rayon=30).json()["count"] == 0
