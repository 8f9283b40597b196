"""Sur téléphone : la recherche du back-office, la proposition à la main filtrée (avec une paire forcée), et
les aspérités qu'un·e nouvel·le utilisateur·rice rencontrait (messages précis, compteur de caractères, début
de l'offre, téléphone au format national, annuaire en panne, paramètres d'affichage). Chaque page est
vérifiée par axe-core en thème clair et sombre."""

import pytest
from django.db import connections

from accounts.services import magic_link_send
from backoffice.models import AuditLog
from matching.models import Match
from tests.backoffice.factories import AdvisorFactory
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_backoffice import browser_login
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _db(query):
    try:
        return query()
    finally:
        connections.close_all()


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    connections.close_all()


def _check(page):
    assert_fits_width(page)
    assert_accessible(page)


@pytest.fixture
def arras(db):
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


def test_advisor_finds_a_candidate_by_phone_then_forces_a_pair_with_a_reason(phone_page, live_server, arras):
    page = phone_page
    advisor = AdvisorFactory()
    calais = CommuneFactory(code="62193", departement=arras.departement, name="Calais", lat=50.95, lng=1.86)
    candidate = CandidateProfileFactory(
        commune=arras, radius_km=30, user__first_name="Inès", user__last_name="Durand", user__phone="+33612345678"
    )
    OfferFactory(company=CompanyFactory(commune=arras, name="Fournil Central"))
    far = OfferFactory(company=CompanyFactory(commune=calais, name="Fournil du Port"))
    Match.objects.all().delete()
    browser_login(page, live_server, advisor)

    page.goto(live_server.url + "/conseiller/")
    menu = page.get_by_role("button", name="Actions")
    assert menu.is_visible() and not page.get_by_role("link", name="Créer une offre").is_visible()
    assert page.get_by_role("search").bounding_box()["y"] < 400  # la recherche en haut, sans quatre boutons
    _check(page)
    page.get_by_label("Rechercher : nom, e-mail, téléphone, SIRET, commune, métier").fill("06.12.34.56.78")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/conseiller/recherche")
    assert page.get_by_role("heading", name="Candidat·es (1)").is_visible()
    assert page.get_by_text("06 12 34 56 78").is_visible()
    _check(page)
    page.get_by_role("link", name="Inès Durand").click()
    page.wait_for_url(f"**/conseiller/candidats/{candidate.pk}")
    assert page.get_by_text("Téléphone : 06 12 34 56 78").is_visible()
    assert page.get_by_text("Presque (1)").is_visible()
    _check(page)

    page.locator(f"label[for='offre-{far.pk}']").click()
    assert page.locator(f"label[for='offre-{far.pk}']").inner_text().count("au-delà de 30 km") == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Proposer cette mise en relation").click()
    assert page.get_by_text("Cette offre ne respecte pas toutes les règles").is_visible()
    assert page.locator(f"#offre-{far.pk}").is_checked()  # le choix est gardé
    _check(page)
    page.get_by_label("Raison de passer outre aux règles").select_option("trajet_accepte")
    page.get_by_role("button", name="Proposer cette mise en relation").click()
    page.wait_for_url("**/conseiller/mises-en-relation/*")
    entry = _db(lambda: AuditLog.objects.get(action="paire_proposee"))
    assert entry.details["reason"] == "trajet_accepte" and entry.details["failed_rules"] == ["is_near"]
    _check(page)


def test_employer_forms_say_what_is_missing_and_count_characters(phone_page, live_server, arras):
    page = phone_page
    page.route("**/employeur/entreprise?*", lambda route: route.abort())  # l'annuaire ne répond pas
    page.goto(live_server.url + "/employeur/inscription")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer mon compte").click()
    errors = page.locator(".fr-error-text").all_inner_texts()
    assert "Indiquez votre prénom." in errors and "Indiquez le nom de l'entreprise." in errors
    assert not [error for error in errors if error == "Ce champ est obligatoire."]
    _check(page)
    page.get_by_label("SIRET de l'établissement").fill("12345678900011")
    status = page.locator("[data-company-lookup-status]")
    status.get_by_text("ne répond pas").wait_for()
    assert "continuez" in status.inner_text()  # le formulaire continue à la main
    _check(page)

    member = CompanyFactory(commune=arras).members.first()
    connections.close_all()
    page.goto(f"{live_server.url}/connexion/lien/{_db(lambda: magic_link_send(user=member))}")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/employeur/offres/nouvelle")
    assert page.get_by_role("radio", name="Dès que possible").is_checked()  # un seul choix, obligatoire
    description = page.get_by_label("Description")
    description.fill("")
    description.focus()
    page.keyboard.insert_text("a" * 3010)  # un texte collé plus long que la limite
    assert len(description.input_value()) == 3010  # pas coupé en silence
    assert page.get_by_text("3 010 caractères sur 3 000 au plus : 10 de trop.").is_visible()
    _check(page)


def test_display_settings_switch_to_the_dark_theme(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Paramètres d'affichage").click()
    dialog = page.locator("dialog#fr-theme-modal")
    dialog.wait_for()
    dialog.locator("label", has_text="Thème sombre").click()
    page.wait_for_function("document.documentElement.getAttribute('data-fr-theme') === 'dark'")
    _check(page)


def test_candidate_deletion_page_says_tu(phone_page, live_server):
    page = phone_page
    user = CandidateProfileFactory().user
    connections.close_all()
    page.goto(f"{live_server.url}/connexion/lien/{_db(lambda: magic_link_send(user=user))}")
    assert page.get_by_text("clique pour ouvrir ton espace").is_visible()
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/mes-donnees/supprimer-mon-compte")
    main = page.locator("main").inner_text()
    assert "tu as écrit" in main and "vous" not in main.lower()
    _check(page)


def test_api_documentation_is_a_french_page_of_the_site(phone_page, live_server):
    page = phone_page
    page.goto(live_server.url + "/api/v1/docs")
    assert page.locator("h1").inner_text() == "Documentation de l'API"
    assert page.locator("footer").is_visible() and page.locator("header").first.is_visible()
    assert page.get_by_role("link", name="openapi.json").is_visible()
    _check(page)
