"""Limites de débit par IP des URL déclarées dans settings.RATE_LIMITS (core.middleware.RateLimitMiddleware)."""

import datetime

import pytest
import time_machine
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


# --- Adresse du client derrière un proxy (core.ratelimit.client_ip) ---


def test_forwarded_header_is_ignored_unless_the_request_comes_from_a_trusted_proxy(rf, settings):
    from core.ratelimit import client_ip

    settings.RATELIMIT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="198.51.100.9")
    assert client_ip(request) == "198.51.100.9"  # n'importe qui peut écrire cet en-tête
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "198.51.100.9"  # 198.51.100.9 n'est pas un de nos proxys


def test_behind_trusted_proxies_the_right_most_untrusted_address_is_the_client(rf, settings):
    from core.ratelimit import client_ip

    settings.RATELIMIT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1/32"]
    # Le client a écrit 6.6.6.6 lui-même ; le premier proxy a ajouté 203.0.113.7, puis 192.0.2.1.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 192.0.2.1", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.7"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="garbage, 10.1.1.1", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "garbage"  # ce que le proxy a reçu, tel quel : une clé comme une autre
    request = rf.get("/", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"


# --- Connexion et inscriptions : limites par adresse e-mail et par adresse IP ---


@pytest.fixture
def frozen_clock():
    """Horloge arrêtée en début de minute : les fenêtres des compteurs sont fixes, aucune ne se termine
    pendant le test."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, 5, tzinfo=datetime.UTC), tick=False):
        yield


def _ask_link(client, email, capture, ip="198.51.100.1"):
    with capture(execute=True):
        return client.post("/connexion", {"email": email}, REMOTE_ADDR=ip)


def test_the_address_limit_stops_sending_silently(client, django_capture_on_commit_callbacks, frozen_clock):
    from django.core import mail

    from accounts.limits import LOGIN_LIMITS_PER_ADDRESS
    from tests.accounts.factories import UserFactory

    UserFactory(email="lea@example.org")
    limit = LOGIN_LIMITS_PER_ADDRESS[0][0]
    for _ in range(limit):
        _ask_link(client, "lea@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == limit
    response = _ask_link(client, "lea@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302  # la même page que d'habitude, aucun message d'erreur
    assert response.url == "/connexion/verifiez-vos-emails"
    assert len(mail.outbox) == limit


def test_someone_else_cannot_keep_a_person_from_receiving_links(
    client, django_capture_on_commit_callbacks, frozen_clock
):
    """Les demandes d'un tiers (une autre adresse IP) n'épuisent pas celles de la personne."""
    from django.core import mail

    from accounts.limits import LOGIN_LIMITS_PER_ADDRESS
    from tests.accounts.factories import UserFactory

    UserFactory(email="lea@example.org")
    for _ in range(LOGIN_LIMITS_PER_ADDRESS[0][0] + 3):
        _ask_link(client, "lea@example.org", django_capture_on_commit_callbacks, ip="203.0.113.66")
    sent = len(mail.outbox)
    _ask_link(client, "lea@example.org", django_capture_on_commit_callbacks, ip="198.51.100.1")
    assert len(mail.outbox) == sent + 1


def test_a_class_behind_one_address_can_ask_links_but_brute_force_is_stopped(
    client, django_capture_on_commit_callbacks, frozen_clock
):
    """Une classe entière (35 élèves) derrière l'adresse IP du lycée passe ; au-delà du plafond, refus."""
    from accounts.limits import LOGIN_LIMITS_PER_IP

    burst = min(limit for limit, _ in LOGIN_LIMITS_PER_IP)
    assert burst >= 35
    for index in range(burst):
        response = _ask_link(client, f"eleve{index}@example.org", django_capture_on_commit_callbacks)
        assert response.status_code == 302, index
    response = _ask_link(client, "encore@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Trop de demandes de lien" in response.content.decode()
