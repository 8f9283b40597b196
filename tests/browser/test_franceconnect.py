"""Connexion FranceConnect dans Chromium, contre le fournisseur OpenID Connect de test (oidc-provider)."""

import re
from urllib.parse import urlsplit

import pytest

from accounts.models import User
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.franceconnect.fixtures import (
    ACCOUNT_EMAIL,
    ACCOUNT_LOGIN,
    ACCOUNT_PASSWORD,
    ACCOUNT_SUB,
    fc_provider,  # noqa: F401
    fc_settings,  # noqa: F401
)

# `transactional_db` en tête des arguments : la base de test (SQLite en mémoire) existe avant le serveur
# `live_server`, qui partage alors sa connexion avec ses fils d'exécution.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local_only(page):
    """Aucune requête ne sort de la machine (le fournisseur et le service sont sur 127.0.0.1)."""

    def route(route):
        host = urlsplit(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)


def test_sign_in_with_franceconnect_then_log_out(transactional_db, desktop_page, live_server, fc_settings):  # noqa: F811
    fc_settings.SITE_URL = live_server.url
    page = desktop_page
    local_only(page)

    page.goto(live_server.url + "/connexion")
    button = page.get_by_role("button", name="S'identifier avec FranceConnect")
    assert button.is_visible()
    what = page.get_by_role("link", name="Qu'est-ce que FranceConnect ?")
    assert what.get_attribute("target") == "_blank"
    assert what.get_attribute("title") == "Qu'est-ce que FranceConnect ? - nouvelle fenêtre"
    assert page.locator(".fr-hr-or").inner_text().strip().lower() == "ou"
    assert_accessible(page)

    button.click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    assert page.locator("h1").inner_text() == "Identifiez-vous"
    page.get_by_label("Identifiant").fill(ACCOUNT_LOGIN)
    page.get_by_label("Mot de passe").fill(ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Transmettre vos informations").wait_for()
    page.get_by_role("button", name="Continuer sur le service").click()

    page.wait_for_url(f"{live_server.url}/candidat/profil/etape-2")
    assert page.locator("h1").inner_text() == "Créer mon profil"
    user = User.objects.select_related("franceconnect_identity", "candidate_profile").get(email=ACCOUNT_EMAIL)
    assert (user.first_name, user.last_name) == ("Camille Marie", "MARTIN")
    assert user.franceconnect_identity.sub == ACCOUNT_SUB
    assert str(user.candidate_profile.birth_date) == "2007-05-14"

    page.get_by_role("button", name="Se déconnecter de FranceConnect").click()
    page.get_by_role("heading", name="Se déconnecter de FranceConnect ?").wait_for()
    page.get_by_role("button", name="Oui, me déconnecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Vous êtes déconnecté·e de C'est ma chance et de FranceConnect.").is_visible()
    assert page.get_by_role("link", name="Se connecter").first.is_visible()


def test_franceconnect_button_fits_on_phone(transactional_db, phone_page, live_server, fc_settings):  # noqa: F811
    fc_settings.SITE_URL = live_server.url
    local_only(phone_page)
    phone_page.goto(live_server.url + "/connexion")
    assert phone_page.get_by_role("button", name="S'identifier avec FranceConnect").is_visible()
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
