import json

import pytest
from django.core.management import call_command

from partners.models import ApiKey, key_hash
from partners.openapi import COMMITTED_PATH, openapi_document
from partners.services import api_key_create, offers_export
from tests.geo.factories import CommuneFactory
from tests.offers.factories import OfferFactory, TradeFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def test_reference_data(client):
    TradeFactory(code="boulanger", label="Boulanger / Boulangère", family="alimentation", rome_codes=["D1102"])
    assert client.get("/api/v1/metiers").json()[0]["code"] == "boulanger"
    levels = client.get("/api/v1/niveaux").json()
    assert [level["code"] for level in levels] == ["3", "4", "5", "6", "7"]
    assert levels[0]["libelle_court"] == "CAP"
    assert client.get("/api/v1/types-contrat").json() == [
        {"code": "apprentissage", "libelle": "Contrat d'apprentissage"},
        {"code": "professionnalisation", "libelle": "Contrat de professionnalisation"},
    ]


def test_commune_lookup(client):
    CommuneFactory(code="62041", name="Arras", postal_codes=["62000"], population=40000)
    CommuneFactory(code="62042", name="Arras-en-Lavedan", postal_codes=["62100"], population=500)
    assert [c["code"] for c in client.get("/api/v1/communes", {"q": "arras"}).json()] == ["62041", "62042"]
    assert client.get("/api/v1/communes", {"q": "62000"}).json()[0] == {
        "code": "62041",
        "nom": "Arras",
        "departement": "62",
        "codes_postaux": ["62000"],
        "libelle": "Arras (62000)",
    }
    response = client.get("/api/v1/communes")
    assert response.status_code == 400
    assert response.json()["erreurs"][0]["parametre"] == "q"


def test_statistics_endpoint_and_its_bad_input(client):
    body = client.get("/api/v1/statistiques").json()
    assert body["perimetre"] == "France entière, toutes familles de métiers"
    assert {row["section"] for row in body["lignes"]} >= {"total"}
    for params, parameter in [({"region": "zz"}, "region"), ({"departement": "999"}, "departement")]:
        response = client.get("/api/v1/statistiques", params)
        assert response.status_code == 400
        assert response.json()["erreurs"][0]["parametre"] == parameter
    response = client.get("/api/v1/statistiques", {"famille": "astronautique"})
    assert response.json()["erreurs"][0]["parametre"] == "famille"


def test_anonymous_rate_limit_answers_429_with_retry_after(client, settings):
    settings.API_ANONYMOUS_RATE = 3
    for _ in range(3):
        assert client.get("/api/v1/niveaux").status_code == 200
    response = client.get("/api/v1/niveaux")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    error = response.json()["erreurs"][0]
    assert error["parametre"] is None
    assert error["message"].startswith("Trop de requêtes : réessayez dans")
    # Une autre adresse IP n'est pas concernée.
    assert client.get("/api/v1/niveaux", REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.parametrize("header", ["HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_api_key_raises_the_limit(client, settings, header):
    settings.API_ANONYMOUS_RATE, settings.API_PARTNER_RATE = 2, 5
    _api_key, raw_key = api_key_create(name="La Bonne Alternance")
    headers = {header: raw_key if header == "HTTP_X_API_KEY" else f"Bearer {raw_key}"}
    statuses = [client.get("/api/v1/niveaux", **headers).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Sans clé, la limite anonyme s'applique toujours.
    assert [client.get("/api/v1/niveaux").status_code for _ in range(3)] == [200, 200, 429]


def test_unknown_or_inactive_key_counts_as_anonymous(client, settings):
    settings.API_ANONYMOUS_RATE, settings.API_PARTNER_RATE = 1, 100
    api_key, raw_key = api_key_create(name="Ancien partenaire")
    api_key.is_active = False
    api_key.save()
    assert client.get("/api/v1/niveaux", HTTP_X_API_KEY=raw_key).status_code == 200
    assert client.get("/api/v1/niveaux", HTTP_X_API_KEY="cmc_inventee").status_code == 429


def test_create_api_key_command_prints_the_key_once(capsys):
    call_command("create_api_key", "Région Hauts-de-France")
    raw_key = capsys.readouterr().out.strip().splitlines()[-1]
    api_key = ApiKey.objects.get()
    assert api_key.name == "Région Hauts-de-France"
    assert api_key.key_hash == key_hash(raw_key)
    assert raw_key not in api_key.key_hash and api_key.prefix == raw_key[:8]


def test_daily_export_of_published_offers(client, settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path
    response = client.get("/api/v1/exports/offres.jsonl")
    assert response.status_code == 404
    assert "pas encore" in response.json()["erreurs"][0]["message"]
    offers = [OfferFactory(), OfferFactory()]
    OfferFactory(draft=True)
    call_command("export_offers")
    response = client.get("/api/v1/exports/offres.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == [offer.pk for offer in offers]
    api_result = client.get("/api/v1/offres").json()["results"]
    assert set(records[0]) == set(api_result[0])
    assert settings.PERIODIC_TASKS["partners.tasks.export_offers"] == 86400
    assert offers_export()[1] == 2


def test_committed_openapi_document_is_up_to_date():
    """Si ce test échoue : `python manage.py export_openapi`, puis versionner docs/api/openapi.json."""
    assert COMMITTED_PATH.read_text(encoding="utf-8") == openapi_document()


def test_openapi_served_and_docs_without_third_party_assets(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["paths"].keys() == json.loads(COMMITTED_PATH.read_text())["paths"].keys()
    response = client.get("/api/v1/docs")
    docs = text(response)
    assert response.status_code == 200 and "swagger" not in docs.lower()
    assert 'src="http' not in docs and 'stylesheet" href="http' not in docs  # rien d'un site tiers
    # Une page du site, en français : chaque point d'accès, ses paramètres et ses réponses.
    assert "<h1>Documentation de l'API</h1>" in docs and "fr-footer" in docs and "fr-header" in docs
    assert '<code class="cmc-break">/api/v1/offres</code>' in docs and '<th scope="col">Paramètre</th>' in docs
    assert "Trop de requêtes" in docs
