"""ProConnect : jetons forgés ou altérés. Le vrai fournisseur mène l'échange, puis le jeton d'identité ou la
réponse userinfo (JWT signé, qui porte le SIRET) est remplacé."""

import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from accounts.models import User
from employers.models import Company
from franceconnect import client as oidc_client
from tests.franceconnect.fixtures import CLIENT_ID, PC_ACCOUNT_WITH_SIRET, PC_SIRET, provider_authorize
from tests.offers.factories import CompanyFactory
from tests.utils import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pc_settings")]

SUB = PC_ACCOUNT_WITH_SIRET["sub"]
REFUSED = "La réponse de ProConnect n'a pas pu être vérifiée (jeton d'identité)"
USERINFO_REFUSED = "La réponse de ProConnect n'a pas pu être vérifiée (informations d'identité)"


def forge(key, *, base_url, kid=None, **claims):
    now = int(time.time())
    payload = {"iss": base_url, "aud": CLIENT_ID, "sub": SUB, "iat": now, "exp": now + 300} | claims
    return jwt.encode({"alg": "ES256", "kid": kid or key.kid}, payload, key)


def authorize(client) -> dict:
    response = client.get("/proconnect/connexion")
    return provider_authorize(
        response["Location"], login=PC_ACCOUNT_WITH_SIRET["login"], password=PC_ACCOUNT_WITH_SIRET["password"]
    )


@pytest.fixture
def callback_with(client, monkeypatch):
    """Fait le vrai parcours chez ProConnect, remplace le jeton d'identité reçu et appelle le retour."""

    def run(make_token):
        params = authorize(client)
        nonce = client.session["proconnect_auth"]["nonce"]
        real_exchange = oidc_client.exchange_code

        def exchange(code, **kwargs):
            tokens = real_exchange(code, **kwargs)
            tokens["id_token"] = make_token(nonce)
            return tokens

        monkeypatch.setattr(oidc_client, "exchange_code", exchange)
        return client.get("/proconnect/callback", params, follow=True)

    return run


@pytest.fixture
def userinfo_replaced_by(client, monkeypatch, pc_provider):
    """Fait le vrai parcours chez ProConnect, remplace la réponse userinfo (JWT) et appelle le retour."""

    def run(make_userinfo):
        params = authorize(client)
        real_get = oidc_client._http_get

        def get(url, **kwargs):
            if url == f"{pc_provider.base_url}/userinfo":
                return httpx.Response(
                    200,
                    text=make_userinfo(),
                    headers={"content-type": "application/jwt; charset=utf-8"},
                    request=httpx.Request("GET", url),
                )
            return real_get(url, **kwargs)

        monkeypatch.setattr(oidc_client, "_http_get", get)
        return client.get("/proconnect/callback", params, follow=True)

    return run


def assert_refused(response, message, client):
    assert response.redirect_chain[-1][0] == "/connexion"
    assert message in text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_genuine_forged_token_signed_with_provider_key_is_accepted(callback_with, pc_provider, client):
    """Contrôle : un jeton correct signé par la clé du fournisseur passe (les refus ci-dessous ont un sens) ;
    ProConnect n'exige pas de niveau eIDAS (`acr`)."""
    response = callback_with(lambda nonce: forge(pc_provider.signing_key, base_url=pc_provider.base_url, nonce=nonce))
    assert response.redirect_chain[0][0] == "/employeur/inscription"
    assert User.objects.get().email == PC_ACCOUNT_WITH_SIRET["claims"]["email"]


def test_token_signed_with_another_key_is_refused(callback_with, pc_provider, client):
    other = ECKey.generate_key("P-256", parameters={"kid": pc_provider.signing_key.kid}, private=True)
    response = callback_with(lambda nonce: forge(other, base_url=pc_provider.base_url, nonce=nonce))
    assert_refused(response, REFUSED, client)


def test_expired_token_is_refused(callback_with, pc_provider, client):
    past = int(time.time()) - 3600
    response = callback_with(
        lambda nonce: forge(
            pc_provider.signing_key, base_url=pc_provider.base_url, nonce=nonce, iat=past - 60, exp=past
        )
    )
    assert_refused(response, "La réponse de ProConnect a expiré", client)


def test_wrong_nonce_in_token_is_refused(callback_with, pc_provider, client):
    response = callback_with(
        lambda nonce: forge(pc_provider.signing_key, base_url=pc_provider.base_url, nonce="n" * 43)
    )
    assert_refused(response, "ne correspond pas à votre demande de connexion", client)


def test_unknown_key_id_refetches_jwks_once_then_refuses(callback_with, pc_provider, client, monkeypatch):
    fetched = []
    real_get = oidc_client._http_get

    def spy(url, **kwargs):
        fetched.append(url)
        return real_get(url, **kwargs)

    monkeypatch.setattr(oidc_client, "_http_get", spy)
    oidc_client.jwks(provider=oidc_client.PROCONNECT)  # clés déjà en cache, comme en régime normal
    assert fetched.count(f"{pc_provider.base_url}/jwks") == 1
    unknown = ECKey.generate_key("P-256", parameters={"kid": "cle-inconnue"}, private=True)
    response = callback_with(lambda nonce: forge(unknown, base_url=pc_provider.base_url, nonce=nonce))
    assert_refused(response, REFUSED, client)
    assert fetched.count(f"{pc_provider.base_url}/jwks") == 2


def test_providers_have_separate_caches(pc_provider, fc_provider, fc_settings):
    pc_keys = oidc_client.jwks(provider=oidc_client.PROCONNECT)
    fc_keys = oidc_client.jwks(provider=oidc_client.FRANCECONNECT)
    assert pc_keys.get_by_kid("cle-pc-test-1").as_dict() == pc_provider.signing_key.as_dict(private=False)
    assert fc_keys.get_by_kid("cle-fc-test-1").as_dict() == fc_provider.signing_key.as_dict(private=False)
    assert oidc_client.discovery(oidc_client.PROCONNECT)["issuer"] == pc_provider.base_url
    assert oidc_client.discovery(oidc_client.FRANCECONNECT)["issuer"] == fc_provider.base_url


def test_forged_userinfo_with_another_siret_is_refused(userinfo_replaced_by, pc_provider, client):
    """Un SIRET injecté dans une réponse userinfo signée par une autre clé ne rattache à rien."""
    target = CompanyFactory(siret=PC_SIRET)
    members = set(target.members.all())
    other = ECKey.generate_key("P-256", parameters={"kid": pc_provider.signing_key.kid}, private=True)
    claims = {**PC_ACCOUNT_WITH_SIRET["claims"], "siret": PC_SIRET}
    response = userinfo_replaced_by(lambda: forge(other, base_url=pc_provider.base_url, **claims))
    assert response.redirect_chain[-1][0] == "/connexion"
    assert USERINFO_REFUSED in text(response)
    assert "_auth_user_id" not in client.session
    assert set(target.members.all()) == members
    assert not User.objects.filter(email=claims["email"]).exists()


def test_userinfo_of_another_person_is_refused(userinfo_replaced_by, pc_provider, client):
    claims = {**PC_ACCOUNT_WITH_SIRET["claims"], "sub": "quelqu-un-d-autre"}
    response = userinfo_replaced_by(lambda: forge(pc_provider.signing_key, base_url=pc_provider.base_url, **claims))
    assert response.redirect_chain[-1][0] == "/connexion"
    assert "La connexion avec ProConnect n'a pas abouti" in text(response)
    assert not User.objects.exists()


def test_userinfo_without_verified_email_is_refused(userinfo_replaced_by, pc_provider, client):
    claims = {**PC_ACCOUNT_WITH_SIRET["claims"], "email_verified": False}
    response = userinfo_replaced_by(lambda: forge(pc_provider.signing_key, base_url=pc_provider.base_url, **claims))
    assert "ProConnect n'a pas transmis d'adresse e-mail vérifiée" in text(response)
    assert not User.objects.exists()
    assert not Company.objects.exists()


def test_provider_down_gives_french_message(client, settings):
    settings.PROCONNECT_BASE_URL = "http://127.0.0.1:9"  # aucun service n'écoute sur ce port
    response = client.get("/proconnect/connexion", follow=True)
    assert "ProConnect ne répond pas pour le moment" in text(response)
