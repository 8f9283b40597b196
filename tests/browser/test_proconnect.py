"""Connexion ProConnect dans Chromium, au téléphone, contre le fournisseur OpenID Connect de test configuré
comme ProConnect (oidc-provider)."""

import json
import re

import httpx
import pytest

from accounts.enums import Role
from accounts.models import User
from employers.models import Company
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_franceconnect import local_only
from tests.employers.conftest import SAMPLE
from tests.franceconnect.fixtures import (
    PC_ACCOUNT_WITH_SIRET,
    PC_SIRET,
    fc_provider,  # noqa: F401
    fc_settings,  # noqa: F401
    pc_provider,  # noqa: F401
    pc_settings,  # noqa: F401
)
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = PC_ACCOUNT_WITH_SIRET["claims"]["email"]


def _check(page):
    assert_fits_width(page)
    assert_accessible(page)


def _provider_sign_in(page):
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    assert page.locator("h1").inner_text() == "Identifiez-vous"
    page.get_by_label("Identifiant").fill(PC_ACCOUNT_WITH_SIRET["login"])
    page.get_by_label("Mot de passe").fill(PC_ACCOUNT_WITH_SIRET["password"])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Transmettre vos informations").wait_for()
    page.get_by_role("button", name="Continuer sur le service").click()


def _log_out_through_proconnect(page, live_server):
    page.get_by_role("button", name="Menu").click()  # au téléphone, les boutons d'en-tête sont dans le menu
    page.get_by_role("dialog").get_by_role("button", name="Se déconnecter de ProConnect").click()
    page.get_by_role("heading", name="Se déconnecter de ProConnect ?").wait_for()
    page.get_by_role("button", name="Oui, me déconnecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Vous êtes déconnecté·e de C'est ma chance et de ProConnect.").is_visible()


def test_new_artisan_signs_in_with_proconnect_and_finishes_the_sign_up(
    transactional_db,
    phone_page,
    live_server,
    pc_settings,  # noqa: F811
    fc_settings,  # noqa: F811
    monkeypatch,
):
    """SIRET inconnu ici : l'inscription employeur s'ouvre avec le SIRET déjà saisi et l'annuaire (simulé)
    pré-remplit le reste ; il ne reste que le téléphone."""
    # L'annuaire simulé connaît l'établissement au SIRET transmis par ProConnect.
    directory = json.loads(json.dumps(SAMPLE).replace("83014132100034", PC_SIRET))
    monkeypatch.setattr(
        "employers.companies_api.default_transport",
        lambda: httpx.MockTransport(lambda request: httpx.Response(200, json=directory)),
    )
    CommuneFactory(code="62193", name="Calais", postal_codes=["62100"], lat=50.95, lng=1.85)
    pc_settings.SITE_URL = live_server.url
    page = phone_page
    local_only(page)

    page.goto(live_server.url + "/connexion")
    button = page.get_by_role("button", name="S'identifier avec ProConnect")
    assert button.is_visible()
    assert page.get_by_role("button", name="S'identifier avec FranceConnect").is_visible()
    what = page.get_by_role("link", name="Qu'est-ce que ProConnect ?")
    assert what.get_attribute("target") == "_blank"
    assert what.get_attribute("title") == "Qu'est-ce que ProConnect ? - nouvelle fenêtre"
    logo = page.evaluate(
        "() => getComputedStyle(document.querySelector('.proconnect-button'), '::before').backgroundImage"
    )
    assert f"{live_server.url}/static/franceconnect/proconnect-logo.svg" in logo
    _check(page)

    button.click()
    _provider_sign_in(page)

    page.wait_for_url(f"{live_server.url}/employeur/inscription")
    assert page.locator("h1").inner_text() == "Terminer mon inscription"
    assert page.get_by_label("SIRET de l'établissement").input_value() == PC_SIRET
    page.wait_for_function("() => document.querySelector('[name=company_name]').value !== ''")
    assert page.get_by_label("Nom de l'entreprise").input_value() == "BOULANGERIE DU BEFFROI"
    assert page.locator("[name=commune]").input_value() == "Calais (62100)"
    _check(page)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_role("button", name="Terminer mon inscription").click()

    page.wait_for_url(f"{live_server.url}/employeur/")
    assert page.get_by_text("Votre inscription est terminée").is_visible()
    _check(page)
    user = User.objects.get(email=EMAIL)
    assert (user.role, user.first_name, user.last_name, user.phone) == (
        Role.EMPLOYER,
        "Dominique",
        "LEFEBVRE",
        "+33612345678",
    )
    assert list(Company.objects.get(siret=PC_SIRET).members.all()) == [user]

    _log_out_through_proconnect(page, live_server)
    page.goto(live_server.url + "/employeur/")
    page.wait_for_url(re.compile(r".*/connexion\?next=/employeur/$"))  # la session est bien fermée


def test_artisan_of_a_known_company_lands_in_its_space(
    transactional_db,
    phone_page,
    live_server,
    pc_settings,  # noqa: F811
):
    company = CompanyFactory(siret=PC_SIRET, name="Boulangerie Lefebvre")
    OfferFactory(company=company)
    pc_settings.SITE_URL = live_server.url
    page = phone_page
    local_only(page)

    page.goto(live_server.url + "/employeur/inscription")
    _check(page)
    page.get_by_role("button", name="S'identifier avec ProConnect").click()
    _provider_sign_in(page)

    page.wait_for_url(f"{live_server.url}/employeur/")
    assert page.get_by_text("Vous êtes rattaché·e à l'établissement Boulangerie Lefebvre.").is_visible()
    assert page.get_by_role("link", name="Voir les candidat·es").is_visible()  # l'offre de l'établissement
    _check(page)
