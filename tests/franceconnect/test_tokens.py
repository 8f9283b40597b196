"""Jetons forgés ou altérés : le vrai fournisseur mène l'échange, puis le jeton d'identité est remplacé."""

import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from accounts.models import User
from franceconnect import client as fc_client
from tests.franceconnect.fixtures import ACCOUNT_SUB, CLIENT_ID, provider_authorize
from tests.utils import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fc_settings")]

REFUSED = "La réponse de FranceConnect n'a pas pu être vérifiée (jeton d'identité)"


def forge(key, *, base_url, nonce, kid=None, **claims):
    now = int(time.time())
    payload = {
        "iss": base_url,
        "aud": CLIENT_ID,
        "sub": ACCOUNT_SUB,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "acr": "eidas1",
    } | claims
    return jwt.encode({"alg": "ES256", "kid": kid or key.kid}, payload, key)


@pytest.fixture
def callback_with(client, monkeypatch, fc_provider):
    """Fait le vrai parcours chez le fournisseur, remplace le jeton d'identité reçu et appelle le retour."""

    def run(make_token):
        response = client.get("/franceconnect/connexion")
        params = provider_authorize(response["Location"])
        nonce = client.session["franceconnect_auth"]["nonce"]
        real_exchange = fc_client.exchange_code

        def exchange(code, **kwargs):
            tokens = real_exchange(code, **kwargs)
            tokens["id_token"] = make_token(nonce)
            return tokens

        monkeypatch.setattr(fc_client, "exchange_code", exchange)
        return client.get("/franceconnect/callback", params, follow=True)

    return run


def assert_refused(response, message, client):
    assert response.redirect_chain[-1][0] == "/connexion"
    assert message in text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_genuine_forged_token_signed_with_provider_key_is_accepted(callback_with, fc_provider, client):
    """Contrôle : un jeton correct signé par la clé du fournisseur passe (les refus ci-dessous ont un sens)."""
    response = callback_with(lambda nonce: forge(fc_provider.signing_key, base_url=fc_provider.base_url, nonce=nonce))
    assert response.redirect_chain[0][0] == "/candidat/profil/etape-2"
    assert User.objects.get().franceconnect_identity.sub == ACCOUNT_SUB


def test_token_signed_with_another_key_is_refused(callback_with, fc_provider, client):
    other = ECKey.generate_key("P-256", parameters={"kid": fc_provider.signing_key.kid}, private=True)
    response = callback_with(lambda nonce: forge(other, base_url=fc_provider.base_url, nonce=nonce))
    assert_refused(response, REFUSED, client)


def test_expired_token_is_refused(callback_with, fc_provider, client):
    past = int(time.time()) - 3600
    response = callback_with(
        lambda nonce: forge(
            fc_provider.signing_key, base_url=fc_provider.base_url, nonce=nonce, iat=past - 60, exp=past
        )
    )
    assert_refused(response, "La réponse de FranceConnect a expiré", client)


def test_unknown_key_id_refetches_jwks_once_then_refuses(callback_with, fc_provider, client, monkeypatch):
    fetched = []
    real_get = fc_client._http_get

    def spy(url, **kwargs):
        fetched.append(url)
        return real_get(url, **kwargs)

    monkeypatch.setattr(fc_client, "_http_get", spy)
    fc_client.jwks()  # clés déjà en cache, comme en régime normal
    assert fetched.count(f"{fc_provider.base_url}/jwks") == 1
    unknown = ECKey.generate_key("P-256", parameters={"kid": "cle-inconnue"}, private=True)
    response = callback_with(lambda nonce: forge(unknown, base_url=fc_provider.base_url, nonce=nonce))
    assert_refused(response, REFUSED, client)
    assert fetched.count(f"{fc_provider.base_url}/jwks") == 2


def test_jwks_is_cached(fc_provider, monkeypatch):
    fetched = []
    real_get = fc_client._http_get
    monkeypatch.setattr(fc_client, "_http_get", lambda url, **kw: fetched.append(url) or real_get(url, **kw))
    first, second = fc_client.jwks(), fc_client.jwks()
    assert first.get_by_kid(fc_provider.signing_key.kid).as_dict() == second.get_by_kid("cle-fc-test-1").as_dict()
    assert fetched == [f"{fc_provider.base_url}/.well-known/openid-configuration", f"{fc_provider.base_url}/jwks"]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"acr": "eidas2"}, "Le niveau de vérification d'identité transmis par FranceConnect est insuffisant"),
        ({"aud": "un-autre-service"}, "La connexion avec FranceConnect n'a pas abouti"),
        ({"iss": "https://faux-fournisseur.example"}, "La connexion avec FranceConnect n'a pas abouti"),
    ],
)
def test_wrong_claims_are_refused(callback_with, fc_provider, client, claims, message):
    response = callback_with(
        lambda nonce: forge(fc_provider.signing_key, base_url=fc_provider.base_url, nonce=nonce, **claims)
    )
    assert_refused(response, message, client)


def test_unsigned_token_is_refused(callback_with, fc_provider, client):
    def unsigned(nonce):
        signed = forge(fc_provider.signing_key, base_url=fc_provider.base_url, nonce=nonce)
        header, payload, _ = signed.split(".")
        return f"eyJhbGciOiJub25lIn0.{payload}."

    assert_refused(callback_with(unsigned), REFUSED, client)


def test_userinfo_must_be_a_signed_jwt(fc_provider, monkeypatch):
    monkeypatch.setattr(
        fc_client,
        "_http_get",
        lambda url, **kw: httpx.Response(200, json={"sub": ACCOUNT_SUB}, request=httpx.Request("GET", url)),
    )
    monkeypatch.setattr(fc_client, "discovery", lambda provider: {"userinfo_endpoint": "http://127.0.0.1:1/userinfo"})
    with pytest.raises(fc_client.OidcError) as error:
        fc_client.userinfo("jeton", sub=ACCOUNT_SUB)
    assert "application/jwt" in error.value.detail


def test_provider_down_gives_french_message(client, settings):
    settings.FRANCECONNECT_BASE_URL = "http://127.0.0.1:9"  # aucun service n'écoute sur ce port
    response = client.get("/franceconnect/connexion", follow=True)
    assert "FranceConnect ne répond pas pour le moment" in text(response)
