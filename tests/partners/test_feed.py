"""Le flux JSON des offres et l'export JSON Lines : ETag et Last-Modified, 304 tant que rien ne change."""

import json

import pytest
from django.utils import timezone

from offers.enums import OfferStatus
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


def test_feed_answers_304_until_an_offer_changes(client, django_assert_max_num_queries):
    offer = OfferFactory()
    first = client.get(FEED)
    with django_assert_max_num_queries(1):  # les agrégats seulement : le flux n'est pas relu
        again = client.get(FEED, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(FEED, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304

    OfferFactory()  # une offre de plus
    assert client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 200
    second = client.get(FEED)
    offer.status = OfferStatus.FILLED  # une offre qui sort du flux
    offer.save()
    changed = client.get(FEED, headers={"If-None-Match": second["ETag"]})
    assert changed.status_code == 200 and changed.json()["count"] == 1


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
