"""Connexion ProConnect de bout en bout contre un vrai fournisseur OpenID Connect (oidc-provider) configuré
comme ProConnect : userinfo en JWT signé, `given_name`, `usual_name`, `email` et `siret`."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.staticfiles import finders

from accounts.enums import Role
from accounts.models import User
from employers.models import Company
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory
from tests.franceconnect.fixtures import (
    CLIENT_ID,
    PC_ACCOUNT_WITH_SIRET,
    PC_ACCOUNT_WITHOUT_SIRET,
    PC_SIRET,
    form_action,
    provider_authorize,
)
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pc_settings")]

EMAIL = PC_ACCOUNT_WITH_SIRET["claims"]["email"]
EMAIL_WITHOUT_SIRET = PC_ACCOUNT_WITHOUT_SIRET["claims"]["email"]


def start(client) -> str:
    response = client.get("/proconnect/connexion")
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, account=PC_ACCOUNT_WITH_SIRET, browser=None):
    """Parcours complet : service → ProConnect (identification, consentement) → retour au service."""
    params = provider_authorize(start(client), login=account["login"], password=account["password"], browser=browser)
    return client.get("/proconnect/callback", params), params


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


# --- Le bouton -------------------------------------------------------------------------------------


def test_button_on_login_page_for_professionals(client, fc_settings):
    page = text(client.get("/connexion"))
    assert "Employeur ou conseiller·e CMA" in page
    assert 'class="fr-connect proconnect-button"' in page
    assert "S'identifier avec" in page and '<span class="fr-connect__brand">ProConnect</span>' in page
    assert 'action="/proconnect/connexion"' in page
    assert 'href="https://www.proconnect.gouv.fr/" target="_blank"' in page
    assert 'title="Qu\'est-ce que ProConnect ? - nouvelle fenêtre"' in page
    assert "franceconnect/proconnect.css" in page
    assert '<img src="http' not in page  # logo servi par le site, en arrière-plan CSS : aucune image distante
    assert page.index("proconnect-button") < page.index("Recevoir un lien de connexion par e-mail")
    assert page.count('<p class="fr-hr-or">ou</p>') == 1  # FranceConnect et ProConnect, puis « ou » une fois


def test_button_logo_and_style_are_local_files():
    css = Path(finders.find("franceconnect/proconnect.css")).read_text()
    assert 'url("proconnect-logo.svg")' in css
    assert "http" not in css
    svg = Path(finders.find("franceconnect/proconnect-logo.svg")).read_text()
    assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg


def test_provider_origin_is_added_to_csp_form_action_at_start_up():
    """Comme pour FranceConnect, `config/settings.py` autorise l'origine de ProConnect comme cible de formulaire."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "PROCONNECT_BASE_URL": "https://proconnect.example/api/v2/",
    }
    code = "from django.conf import settings; print(settings.SECURE_CSP['form-action'], settings.PROCONNECT_BASE_URL)"
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert output.returncode == 0, output.stderr
    assert "'https://proconnect.example'" in output.stdout
    assert output.stdout.strip().endswith(" https://proconnect.example/api/v2")


def test_button_on_employer_signup_page(client):
    page = text(client.get("/employeur/inscription"))
    assert "proconnect-button" in page
    assert page.index("proconnect-button") < page.index("fr-hr-or") < page.index('name="first_name"')


def test_button_hidden_and_urls_closed_when_not_configured(client, settings):
    settings.PROCONNECT_CLIENT_SECRET = ""
    assert "proconnect" not in text(client.get("/connexion"))
    assert "proconnect" not in text(client.get("/employeur/inscription"))
    assert client.get("/proconnect/connexion").status_code == 404
    assert client.get("/proconnect/callback?code=x&state=y").status_code == 404


def test_authorization_request(client, pc_provider):
    location = start(client)
    assert location.startswith(f"{pc_provider.base_url}/authorize?")
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["scope"] == "openid email given_name usual_name siret"
    assert "acr_values" not in params
    assert params["redirect_uri"] == "http://testserver/proconnect/callback"
    pending = client.session["proconnect_auth"]
    assert params["state"] == pending["state"] and len(pending["state"]) >= 32
    assert params["nonce"] == pending["nonce"] and len(pending["nonce"]) >= 32
    assert "franceconnect_auth" not in client.session


# --- Après la connexion ----------------------------------------------------------------------------


def test_new_email_with_known_siret_creates_an_employer_who_sees_the_company_space(client):
    company = CompanyFactory(siret=PC_SIRET, name="Boulangerie Lefebvre")
    offer = OfferFactory(company=company)
    response, _ = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/employeur/"
    user = User.objects.get(email=EMAIL)
    assert (user.role, user.first_name, user.last_name) == (Role.EMPLOYER, "Dominique", "LEFEBVRE")
    assert signed_in_user(client) == user
    assert client.session["proconnect_id_token"].count(".") == 2
    assert "proconnect_auth" not in client.session
    page = text(client.get("/employeur/"))
    assert "Vous êtes rattaché·e à l'établissement Boulangerie Lefebvre." in page
    assert f"/offres/{offer.pk}" in page  # l'espace de l'établissement : ses offres
    assert "Ajoutez votre établissement" not in page

    client.logout()
    response, _ = sign_in(client)  # déjà rattaché·e : pas de nouveau message
    assert response["Location"] == "/employeur/"
    assert "Vous êtes rattaché·e" not in text(client.get("/employeur/"))
    assert Company.objects.for_member(user).get() == company


def test_new_email_with_unknown_siret_goes_to_signup_with_the_siret_prefilled(client):
    response, _ = sign_in(client)
    assert response["Location"] == "/employeur/inscription"
    user = User.objects.get(email=EMAIL)
    assert user.role == Role.EMPLOYER
    assert not Company.objects.exists()
    page = text(client.get("/employeur/inscription"))
    assert "Terminer mon inscription" in page
    assert f'name="siret" value="{PC_SIRET}"' in page
    assert 'name="email"' not in page and 'name="first_name"' not in page  # déjà transmis par ProConnect
    assert PC_SIRET not in response["Location"]  # le SIRET ne passe pas par l'URL

    commune = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])
    data = {"phone": "06 12 34 56 78", "siret": PC_SIRET, "company_name": "", "commune": commune.code}
    page = text(client.post("/employeur/inscription", {**data, "staff_band": "0-10"}))
    assert "Indiquez le nom de l'entreprise." in page
    assert 'value="06 12 34 56 78"' in page  # rien de ce qui a été saisi n'est perdu

    data |= {"company_name": "Boulangerie Lefebvre", "staff_band": "0-10", "naf_code": "10.71C"}
    response = client.post("/employeur/inscription", data, follow=True)
    assert response.redirect_chain[-1][0] == "/employeur/"
    assert "Votre inscription est terminée" in text(response)
    company = Company.objects.get(siret=PC_SIRET)
    assert list(company.members.all()) == [user]
    user.refresh_from_db()
    assert user.phone == "+33612345678"
    assert "employers_signup_siret" not in client.session


def test_existing_employer_is_signed_in(client):
    user = UserFactory(email=EMAIL_WITHOUT_SIRET, employer=True, first_name="Alexandre")
    CompanyFactory(member=user)
    response, _ = sign_in(client, PC_ACCOUNT_WITHOUT_SIRET)
    assert response["Location"] == "/employeur/"
    assert signed_in_user(client) == user
    user.refresh_from_db()
    assert user.first_name == "Alexandre"  # le compte existant garde ses informations
    assert User.objects.count() == 1


def test_existing_employer_joins_the_company_of_a_known_siret(client):
    user = UserFactory(email=EMAIL, employer=True)
    own = CompanyFactory(member=user, name="Mon premier établissement")
    company = CompanyFactory(siret=PC_SIRET, name="Boulangerie Lefebvre")
    offer = OfferFactory(company=company)
    response, _ = sign_in(client)
    assert response["Location"] == "/employeur/"
    assert set(Company.objects.for_member(user)) == {own, company}
    assert f"/offres/{offer.pk}" in text(client.get("/employeur/"))


def test_existing_employer_with_an_unknown_siret_is_offered_to_add_it(client):
    user = UserFactory(email=EMAIL, employer=True)
    CompanyFactory(member=user)
    response, _ = sign_in(client)
    assert response["Location"] == "/employeur/etablissements/ajouter"
    page = text(client.get(response["Location"]))
    assert f'name="siret" value="{PC_SIRET}"' in page


def test_new_email_without_siret_is_asked_for_the_company(client):
    response, _ = sign_in(client, PC_ACCOUNT_WITHOUT_SIRET)
    assert response["Location"] == "/employeur/inscription"
    page = text(client.get("/employeur/inscription"))
    assert "Terminer mon inscription" in page
    assert 'name="siret" value=' not in page


def test_advisor_is_signed_in_but_the_back_office_still_asks_for_the_second_factor(client):
    advisor = AdvisorFactory(user__email=EMAIL)
    response, _ = sign_in(client)
    assert response["Location"] == "/conseiller/"
    assert signed_in_user(client) == advisor.user
    response = client.get("/conseiller/")
    assert response.status_code == 302
    assert response["Location"].startswith("/conseiller/verification")
    assert "backoffice_second_factor_user" not in client.session
    assert not Company.objects.for_member(advisor.user).exists()  # le SIRET ne rattache que les employeurs


def test_candidate_account_is_refused(client):
    UserFactory(email=EMAIL, candidate=True)
    response, params = sign_in(client)
    response = client.get(response["Location"])
    assert "ProConnect est réservé aux professionnel·les" in text(response)
    assert "_auth_user_id" not in client.session
    assert User.objects.get(email=EMAIL).role == Role.CANDIDATE
    assert "proconnect_id_token" not in client.session


def test_inactive_account_is_refused(client):
    UserFactory(email=EMAIL, employer=True, is_active=False)
    response, _ = sign_in(client)
    assert "Ce compte est désactivé" in text(client.get(response["Location"]))
    assert "_auth_user_id" not in client.session


# --- Réponses rejouées ou détournées ---------------------------------------------------------------


def test_replayed_state_is_refused(client):
    response, params = sign_in(client)
    assert response.status_code == 302
    client.logout()
    response = client.get("/proconnect/callback", params, follow=True)
    assert "Cette réponse de ProConnect a expiré ou a déjà servi" in text(response)
    assert "_auth_user_id" not in client.session


def test_wrong_nonce_is_refused(client):
    params = provider_authorize(
        start(client), login=PC_ACCOUNT_WITH_SIRET["login"], password=PC_ACCOUNT_WITH_SIRET["password"]
    )
    session = client.session
    session["proconnect_auth"] = {**session["proconnect_auth"], "nonce": "n" * 43}
    session.save()
    response = client.get("/proconnect/callback", params, follow=True)
    assert "ne correspond pas à votre demande de connexion" in text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_a_franceconnect_answer_is_not_accepted_as_a_proconnect_one(client, fc_settings):
    """Le `state` d'une demande FranceConnect ne vaut rien au retour de ProConnect (clés de session distinctes)."""
    client.get("/franceconnect/connexion")
    state = client.session["franceconnect_auth"]["state"]
    response = client.get("/proconnect/callback", {"code": "x", "state": state}, follow=True)
    assert "Cette réponse de ProConnect a expiré ou a déjà servi" in text(response)


def test_provider_error_is_explained(client):
    params = provider_authorize(start(client), abort=True)
    assert params["error"] == "access_denied"
    response = client.get("/proconnect/callback", params, follow=True)
    assert response.redirect_chain[-1][0] == "/connexion"
    assert "Vous avez annulé la connexion avec ProConnect" in text(response)


# --- Déconnexion -----------------------------------------------------------------------------------


def test_logout_goes_through_proconnect(client, pc_provider):
    browser = httpx.Client(timeout=10)
    sign_in(client, browser=browser)
    id_token = client.session["proconnect_id_token"]
    header = text(client.get("/employeur/inscription"))
    assert "Se déconnecter de ProConnect" in header
    assert 'action="/proconnect/deconnexion"' in header
    response = client.post("/proconnect/deconnexion")
    assert "_auth_user_id" not in client.session
    location = response["Location"]
    assert location.startswith(f"{pc_provider.base_url}/session/end?")
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/proconnect/deconnexion/retour"
    assert len(params["state"]) >= 32

    try:
        page = browser.get(location)
        assert "Se déconnecter de ProConnect ?" in page.text
        back = browser.post(form_action(page.text, str(page.url)), data={"logout": "yes", **_hidden(page.text)})
    finally:
        browser.close()
    assert back.is_redirect
    back_url = urlsplit(back.headers["location"])
    assert back_url.path == "/proconnect/deconnexion/retour"
    response = client.get(f"{back_url.path}?{back_url.query}", follow=True)
    assert "Vous êtes déconnecté·e de C'est ma chance et de ProConnect." in text(response)

    response = client.get(f"{back_url.path}?{back_url.query}", follow=True)  # state déjà utilisé
    assert "n'est pas reconnue" in text(response)


def _hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
