"""Le flux JSON des offres et l'export JSON Lines : ETag et Last-Modified, 304 tant que rien ne change."""

import gzip
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers import services
from offers.selectors import offers_version_bump
from partners import api
from partners.services import offers_export
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db
FEED = "/api/v1/flux/offres.json"


def test_feed_lists_public_offers_with_validators(client):
    newer = OfferFactory()
    older = OfferFactory(published_at=timezone.now() - timezone.timedelta(days=3))
    OfferFactory(company=CompanyFactory(unverified=True))
    OfferFactory(draft=True)
    response = client.get(FEED)
    assert response.status_code == 200
    body = response.json()
    assert [offer["id"] for offer in body["results"]] == [newer.pk, older.pk]
    assert body["count"] == 2
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")


def test_feed_body_is_what_its_schema_says(client):
    OfferFactory(levels=["3", "4"], start_date=timezone.localdate())
    OfferFactory(levels=[], start_date=None)
    body = client.get(FEED).content
    # Les mêmes octets qu'en passant par le schéma (même encodeur JSON que les autres réponses de l'API).
    through_schema = api.OfferFeedOut.model_validate(json.loads(body)).model_dump()
    assert api.JSONRenderer().render(None, through_schema, response_status=200).encode() == body


def test_feed_answers_304_until_an_offer_changes(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    offer = OfferFactory()
    first = client.get(FEED)
    with django_assert_max_num_queries(0):  # validateurs relus du cache : ni le flux ni ses agrégats
        again = client.get(FEED, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(FEED, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304

    OfferFactory()  # une offre de plus
    offers_version_bump()  # ce que font les services après l'écriture d'une offre (offers.receivers)
    assert client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 200
    second = client.get(FEED)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_position_filled(offer=offer)  # une offre qui sort du flux
    changed = client.get(FEED, headers={"If-None-Match": second["ETag"]})
    assert changed.status_code == 200 and changed.json()["count"] == 1


def test_a_feed_already_built_is_read_from_the_cache_until_an_offer_changes(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    offer = OfferFactory()
    draft = OfferFactory(draft=True)
    first = client.get(FEED)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(FEED)
        not_modified = client.get(FEED, headers={"If-None-Match": first["ETag"]})
        monkeypatch.setattr(api, "_PROCESS_COPY", {})  # un autre processus : le corps est lu du cache partagé
        elsewhere = client.get(FEED)
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    assert again.content == first.content == elsewhere.content and again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"] and not_modified.status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_publish(offer=draft)
    published = client.get(FEED, headers={"If-None-Match": first["ETag"]})
    assert published.status_code == 200 and [found["id"] for found in published.json()["results"]] == [
        draft.pk,
        offer.pk,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_archive(offer=offer)
    assert [found["id"] for found in client.get(FEED).json()["results"]] == [draft.pk]


def test_while_one_process_rebuilds_the_feed_the_others_serve_the_previous_one(client, monkeypatch):
    OfferFactory()
    first = client.get(FEED)
    OfferFactory()
    offers_version_bump()
    cache.add(f"{api.FEED_KEY}:calcul", 1)  # un autre processus est en train de le recalculer
    monkeypatch.setattr(api, "_PROCESS_COPY", {})  # ce processus-ci n'en a pas de copie
    with CaptureQueriesContext(connection) as captured:
        meanwhile = client.get(FEED)
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    assert meanwhile.status_code == 200 and meanwhile.content == first.content
    assert meanwhile["ETag"] == first["ETag"]

    cache.delete(f"{api.FEED_KEY}:calcul")  # le calcul est fini (ou son processus arrêté)
    rebuilt = client.get(FEED, headers={"If-None-Match": first["ETag"]})
    assert rebuilt.status_code == 200 and rebuilt.json()["count"] == 2


def test_a_feed_whose_body_left_the_cache_is_rebuilt(client, monkeypatch):
    OfferFactory()
    first = client.get(FEED)
    build = cache.get(api.FEED_KEY)[2][2]
    cache.delete_many([f"api:flux:corps:{build}:json", f"api:flux:corps:{build}:gzip"])  # Redis plein
    monkeypatch.setattr(api, "_PROCESS_COPY", {})
    again = client.get(FEED)
    assert again.status_code == 200 and again.json() == first.json()
    assert cache.get(api.FEED_KEY)[2][2] != build  # recalculé une fois, gardé pour les requêtes suivantes


def test_feed_is_sent_compressed_to_clients_that_accept_gzip(client):
    OfferFactory()
    plain = client.get(FEED)
    compressed = client.get(FEED, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip" and gzip.decompress(compressed.content) == plain.content
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    # Même contenu, autres octets : l'ETag est faible (comme avec GZipMiddleware), et vaut pour les deux.
    assert compressed["ETag"] == "W/" + plain["ETag"]
    for etag in (plain["ETag"], compressed["ETag"]):
        assert client.get(FEED, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code == 304


def test_export_answers_304_until_the_next_export(client, settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path
    OfferFactory()
    offers_export()
    first = client.get("/api/v1/exports/offres.jsonl")
    assert first.status_code == 200
    assert len([json.loads(line) for line in b"".join(first.streaming_content).splitlines()]) == 1
    again = client.get("/api/v1/exports/offres.jsonl", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    since = client.get("/api/v1/exports/offres.jsonl", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_feed_and_conditional_headers_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    feed = schema["paths"]["/api/v1/flux/offres.json"]["get"]
    assert {"If-None-Match", "If-Modified-Since"} <= {parameter["name"] for parameter in feed["parameters"]}
    assert "304" in feed["responses"] and "ETag" in feed["responses"]["200"]["headers"]
    export = schema["paths"]["/api/v1/exports/offres.jsonl"]["get"]
    assert "304" in export["responses"]
