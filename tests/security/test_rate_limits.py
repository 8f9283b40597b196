"""Limites de débit par IP des URL déclarées dans settings.RATE_LIMITS (core.middleware.RateLimitMiddleware)."""

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def test_autocomplete_and_links_are_limited():
    assert set(settings.RATE_LIMITS) >= {"geo:commune_search", "accounts:link_open"}
    for name in settings.RATE_LIMITS:
        try:
            reverse(name, kwargs={"token": "x"} if name.endswith("link_open") else None)
        except NoReverseMatch:  # pragma: no cover - une URL renommée doit être reportée ici
            pytest.fail(f"{name} n'existe plus : mettez RATE_LIMITS à jour")


def test_autocomplete_answers_429_in_json_after_the_limit(client, settings):
    settings.RATE_LIMITS = {"geo:commune_search": (3, 3600)}
    for _ in range(3):
        assert client.get("/communes/recherche", {"q": "arr"}).status_code == 200
    response = client.get("/communes/recherche", {"q": "arr"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3601
    assert response.json()["erreur"].startswith("Trop de demandes")


def test_magic_link_pages_are_limited_per_ip(client, settings):
    settings.RATE_LIMITS = {"accounts:link_open": (2, 3600)}
    assert client.get("/connexion/lien/inconnu").status_code == 400
    assert client.get("/connexion/lien/inconnu").status_code == 400
    response = client.get("/connexion/lien/inconnu")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    other_ip = client.get("/connexion/lien/inconnu", REMOTE_ADDR="10.0.0.2")
    assert other_ip.status_code == 400


def test_other_urls_are_not_counted(client, settings):
    settings.RATE_LIMITS = {"geo:commune_search": (1, 3600)}
    for _ in range(3):
        assert client.get("/mentions-legales").status_code == 200
