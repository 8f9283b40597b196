"""Pages « Mes données » et devoirs de service public : accessibles, sans débordement, sans violation CSP."""

import pytest

from accounts.services import magic_link_send
from matching.models import Match
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = {
    "/donnees-personnelles": "Données personnelles",
    "/mentions-legales": "Mentions légales",
    "/accessibilite": "Déclaration d'accessibilité",
    "/plan-du-site": "Plan du site",
}


def watch_csp(page) -> list[str]:
    """Les messages de la console qui signalent un blocage par la Content-Security-Policy."""
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return blocked


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/connexion/lien/{magic_link_send(user=user)}")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
@pytest.mark.parametrize("path", list(PUBLIC_PAGES))
def test_public_duty_pages(request, live_server, page_fixture, path):
    page = request.getfixturevalue(page_fixture)
    blocked = watch_csp(page)
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == PUBLIC_PAGES[path]
    assert_fits_width(page)
    assert_accessible(page)
    assert blocked == []


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_my_data_then_delete_with_the_keyboard(request, live_server, page_fixture):
    page = request.getfixturevalue(page_fixture)
    blocked = watch_csp(page)
    user = UserFactory(email="lea@example.org", first_name="Léa", last_name="Martin")
    profile = CandidateProfileFactory(user=user, presentation="J'adore le pain.")
    Match.objects.create(candidate=profile, offer=OfferFactory(company__name="Boulangerie du Port"), distance_km=2)
    sign_in(page, live_server, user)

    page.goto(live_server.url + "/mes-donnees")
    assert page.get_by_text("lea@example.org").is_visible()
    assert page.get_by_text("Boulangerie du Port").is_visible()
    assert_fits_width(page)
    assert_accessible(page)

    page.get_by_role("link", name="Supprimer mon compte").click()
    assert page.locator("h1").inner_text() == "Supprimer mon compte"
    assert_accessible(page)
    field = page.get_by_label("Pour confirmer, écris SUPPRIMER en majuscules")
    field.fill("non")
    field.press("Enter")
    assert page.get_by_text("Écris exactement SUPPRIMER").is_visible()
    assert_accessible(page)
    page.get_by_label("Pour confirmer, écris SUPPRIMER en majuscules").fill("SUPPRIMER")
    page.get_by_label("Pour confirmer, écris SUPPRIMER en majuscules").press("Enter")
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("Ton compte est supprimé").is_visible()
    assert blocked == []
