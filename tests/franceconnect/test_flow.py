"""Connexion FranceConnect de bout en bout contre un vrai fournisseur OpenID Connect (oidc-provider)."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from candidates.models import CandidateProfile
from franceconnect.models import FranceConnectIdentity, LinkRequest
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.franceconnect.fixtures import ACCOUNT_EMAIL, ACCOUNT_SUB, CLIENT_ID, form_action, provider_authorize
from tests.utils import link_page_post, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fc_settings")]


def start(client) -> str:
    response = client.get("/franceconnect/connexion")
    assert response.status_code == 302
    return response["Location"]


def sign_in(client):
    """Parcours complet : service → fournisseur (identification, consentement) → retour au service."""
    params = provider_authorize(start(client))
    return client.get("/franceconnect/callback", params), params


def test_button_on_login_page(client):
    page = text(client.get("/connexion"))
    assert 'class="fr-connect-group"' in page
    assert "S'identifier avec" in page
    assert 'href="https://franceconnect.gouv.fr/" target="_blank"' in page
    assert 'title="Qu\'est-ce que FranceConnect ? - nouvelle fenêtre"' in page
    assert '<p class="fr-hr-or">ou</p>' in page
    assert page.index("fr-connect-group") < page.index("Recevoir un lien de connexion par e-mail")


def test_button_on_candidate_signup_page(client):
    page = text(client.get("/candidat/inscription"))
    assert "S'identifier avec" in page
    assert page.index("fr-connect-group") < page.index("fr-hr-or") < page.index('name="email"')


def test_button_hidden_and_urls_closed_when_not_configured(client, settings):
    settings.FRANCECONNECT_CLIENT_SECRET = ""
    assert "fr-connect" not in text(client.get("/connexion"))
    assert "fr-connect" not in text(client.get("/candidat/inscription"))
    assert client.get("/franceconnect/connexion").status_code == 404
    assert client.get("/franceconnect/callback?code=x&state=y").status_code == 404


def test_authorization_request(client, fc_provider):
    location = start(client)
    assert location.startswith(f"{fc_provider.base_url}/authorize?")
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["scope"] == "openid given_name family_name birthdate email"
    assert params["acr_values"] == "eidas1"
    assert params["redirect_uri"] == "http://testserver/franceconnect/callback"
    pending = client.session["franceconnect_auth"]
    assert params["state"] == pending["state"] and len(pending["state"]) >= 32
    assert params["nonce"] == pending["nonce"] and len(pending["nonce"]) >= 32
    assert pending["state"] != pending["nonce"]


def test_first_sign_in_creates_prefilled_candidate(client):
    response, _ = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/candidat/profil/etape-2"
    user = User.objects.get(email=ACCOUNT_EMAIL)
    assert (user.role, user.first_name, user.last_name) == (Role.CANDIDATE, "Camille Marie", "MARTIN")
    identity = user.franceconnect_identity
    assert identity.sub == ACCOUNT_SUB
    assert str(identity.birthdate) == "2007-05-14"
    assert str(CandidateProfile.objects.get(user=user).birth_date) == "2007-05-14"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["franceconnect_id_token"].count(".") == 2
    assert "franceconnect_auth" not in client.session


def test_returning_user_is_signed_in(client):
    sign_in(client)
    user = User.objects.get(email=ACCOUNT_EMAIL)
    client.logout()
    response, _ = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] != "/candidat/profil/etape-2"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert User.objects.count() == 1
    assert FranceConnectIdentity.objects.count() == 1


def test_replayed_state_is_refused(client):
    response, params = sign_in(client)
    assert response.status_code == 302
    client.logout()
    response = client.get("/franceconnect/callback", params, follow=True)
    assert "Cette réponse de FranceConnect a expiré ou a déjà servi" in text(response)
    assert "_auth_user_id" not in client.session


def test_unknown_state_is_refused(client):
    params = provider_authorize(start(client))
    response = client.get("/franceconnect/callback", {**params, "state": "x" * 43}, follow=True)
    assert "Cette réponse de FranceConnect a expiré ou a déjà servi" in text(response)
    assert not User.objects.exists()


def test_wrong_nonce_is_refused(client):
    params = provider_authorize(start(client))
    session = client.session
    session["franceconnect_auth"] = {**session["franceconnect_auth"], "nonce": "n" * 43}
    session.save()
    response = client.get("/franceconnect/callback", params, follow=True)
    assert "ne correspond pas à votre demande de connexion" in text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_provider_error_is_explained(client):
    params = provider_authorize(start(client), abort=True)
    assert params["error"] == "access_denied"
    response = client.get("/franceconnect/callback", params, follow=True)
    assert response.redirect_chain[-1][0] == "/connexion"
    assert "Vous avez annulé la connexion avec FranceConnect" in text(response)


def test_existing_email_is_linked_after_confirmation(client):
    existing = UserFactory(email=ACCOUNT_EMAIL, first_name="Cam", role=Role.CANDIDATE)
    response, _ = sign_in(client)
    assert response.status_code == 200
    assert "Confirmez la liaison avec FranceConnect" in text(response)
    assert "_auth_user_id" not in client.session
    assert not FranceConnectIdentity.objects.exists()
    email = OutboxEmail.objects.get(key__startswith="franceconnect-link:")
    assert email.to == ACCOUNT_EMAIL
    path = re.search(r"http://testserver(/franceconnect/liaison/\S+)", email.body)[1]

    page = client.get(path)
    assert "Relier votre compte à FranceConnect" in text(page)
    assert page["Referrer-Policy"] == "no-referrer"
    assert not FranceConnectIdentity.objects.exists()
    token = path.rsplit("/", 1)[1]
    assert client.post(path).status_code == 405  # l'adresse du lien ne consomme rien
    assert '<form method="post" action="/franceconnect/liaison">' in page.content.decode()
    response = link_page_post(client, path)
    assert response.status_code == 302
    assert FranceConnectIdentity.objects.get().user == existing
    assert int(client.session["_auth_user_id"]) == existing.pk

    client.logout()
    assert "Ce lien a déjà servi" in text(client.post("/franceconnect/liaison", {"token": token}))
    response, _ = sign_in(client)  # désormais reconnu par son `sub`
    assert int(client.session["_auth_user_id"]) == existing.pk


def test_link_expires_after_15_minutes(client):
    UserFactory(email=ACCOUNT_EMAIL)
    sign_in(client)
    LinkRequest.objects.update(expires_at=timezone.now())
    path = re.search(r"(/franceconnect/liaison/\S+)", OutboxEmail.objects.get().body)[1]
    response = client.post("/franceconnect/liaison", {"token": path.rsplit("/", 1)[1]})
    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)
    assert not FranceConnectIdentity.objects.exists()


def test_logout_goes_through_provider(client, fc_provider):
    browser = httpx.Client(timeout=10)
    client.get("/franceconnect/callback", provider_authorize(start(client), browser=browser))
    id_token = client.session["franceconnect_id_token"]
    header = text(client.get("/connexion", follow=True))
    assert "Se déconnecter de FranceConnect" in header
    response = client.post("/franceconnect/deconnexion")
    assert "_auth_user_id" not in client.session
    location = response["Location"]
    assert location.startswith(f"{fc_provider.base_url}/session/end?")
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/franceconnect/deconnexion/retour"
    assert len(params["state"]) >= 32

    try:
        page = browser.get(location)
        assert "Se déconnecter de FranceConnect ?" in page.text
        back = browser.post(form_action(page.text, str(page.url)), data={"logout": "yes", **_hidden(page.text)})
    finally:
        browser.close()
    assert back.is_redirect
    back_url = urlsplit(back.headers["location"])
    assert back_url.path == "/franceconnect/deconnexion/retour"
    response = client.get(f"{back_url.path}?{back_url.query}", follow=True)
    assert "Vous êtes déconnecté·e de C'est ma chance et de FranceConnect." in text(response)

    response = client.get(f"{back_url.path}?{back_url.query}", follow=True)  # state déjà utilisé
    assert "n'est pas reconnue" in text(response)


def _hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
