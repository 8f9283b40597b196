"""En-têtes de sécurité de chaque genre de page : HTML, formulaire, API JSON, healthz, texte, 404, erreur."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = {
    "accueil": "/",
    "formulaire": "/connexion",
    "api-json": "/api/v1/metiers",
    "healthz": "/healthz",
    "texte": "/.well-known/security.txt",
    "404": "/cette-page-n-existe-pas",
}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.style_attributes, self.event_handlers = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "style":
            self.styles.append(attrs)
        if "style" in attrs:
            self.style_attributes.append(tag)
        self.event_handlers += [name for name in attrs if name.startswith("on")]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def assert_security_headers(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "interest-cohort=()", "payment=()"):
        assert feature in permissions


def secure_get(client, url):
    return client.get(url, secure=True)


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_kind_of_page_has_the_security_headers(client, kind):
    response = secure_get(client, PAGES[kind])
    assert response.status_code == {"404": 404, "healthz": 503}.get(kind, 200)  # 503 : aucun worker en marche
    assert_security_headers(response)


def test_server_error_page_has_the_security_headers(settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_error"
    client = Client(raise_request_exception=False)
    response = client.get("/__boom__", secure=True)
    assert response.status_code == 500
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/", "/connexion", "/donnees-personnelles", "/accessibilite"])
def test_html_pages_carry_the_nonce_of_their_header_on_every_script(client, url):
    response = secure_get(client, url)
    nonces = [v for v in policy(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = re.fullmatch(r"'nonce-(.+)'", nonces[0]).group(1)
    tags = Tags()
    tags.feed(response.content.decode())
    assert tags.scripts, "la page charge au moins le JavaScript du DSFR"
    for script in tags.scripts:
        assert script.get("nonce") == nonce, script
    for style in tags.styles:
        assert style.get("nonce") == nonce
    assert tags.style_attributes == []
    assert tags.event_handlers == []
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]


def test_nonce_changes_on_every_request(client):
    first = policy(secure_get(client, "/"))["script-src"]
    second = policy(secure_get(client, "/"))["script-src"]
    assert first != second


def test_session_and_csrf_cookies_are_secure_and_http_only(client):
    from accounts.services import magic_link_send
    from tests.accounts.factories import UserFactory

    response = client.get("/connexion", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    token = magic_link_send(user=UserFactory())
    response = client.post("/connexion/lien", {"token": token}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_deploy_checks_pass_for_security_settings():
    """`manage.py check --deploy` ne signale rien sur les réglages de sécurité (hors cache, vu ailleurs)."""
    from django.core import checks

    messages = [m for m in checks.run_checks(include_deployment_checks=True, tags=["security"])]
    ids = {m.id for m in messages}
    # W008 : redirection HTTPS faite par le proxy (SECURE_SSL_REDIRECT réglable) ; W009 : clé des tests ;
    # W021 : pas de « preload » HSTS (difficile à annuler) ; core.W001 : cache local des tests (voir Redis).
    assert ids <= {"core.W001", "security.W008", "security.W009", "security.W021"}


def test_deploy_check_warns_when_rate_limits_are_not_shared(settings):
    from core.checks import check_shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [m.id for m in check_shared_cache(None)] == ["core.W001"]
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x"}}
    assert check_shared_cache(None) == []
