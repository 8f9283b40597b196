"""Espace conseiller dans le navigateur : connexion avec second facteur, tableau de bord, paire proposée à
la main, import CSV. Chaque page est vérifiée par axe-core et à 375 px."""

import re

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from backoffice.scope import SESSION_VERIFIED_KEY
from matching.models import Match
from notifications.models import OutboxEmail
from offers.models import Offer
from tests.backoffice.factories import AdvisorFactory
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory, _siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _db(query):
    """Lit la base depuis le test : sous Playwright, la connexion ouverte est propre à ce contexte ; on la
    ferme tout de suite (sinon ResourceWarning)."""
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


def browser_login(page, live_server, advisor):
    """Ouvre une session déjà vérifiée (second facteur compris) dans le navigateur."""
    session = SessionStore()
    session[SESSION_KEY] = str(advisor.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = advisor.user.get_session_auth_hash()
    session[SESSION_VERIFIED_KEY] = advisor.user.pk
    session.save()
    connections.close_all()  # la base est prête : le navigateur prend la main
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


@pytest.fixture
def arras(db):
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


def test_advisor_signs_in_with_magic_link_and_totp(phone_page, live_server, arras):
    page = phone_page
    advisor = AdvisorFactory(user__email="conseil@cma-hdf.fr", user__first_name="Camille")
    CandidateProfileFactory(commune=arras, user__last_name="Lefebvre")
    connections.close_all()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill("conseil@cma-hdf.fr")
    page.get_by_role("button", name="Recevoir mon lien").click()
    page.wait_for_url("**/connexion/verifiez-vos-emails")

    email = _db(lambda: OutboxEmail.objects.filter(to="conseil@cma-hdf.fr").latest("pk"))
    path = re.search(r"(/connexion/lien/\S+)", email.body).group(1)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url("**/conseiller/verification*")
    _check(page)

    page.get_by_label("Code à 6 chiffres").fill("000000")
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state()
    page.get_by_text("Ce code n'est pas le bon").wait_for()
    _check(page)  # l'erreur aussi est accessible

    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(advisor.get_totp_secret()).now())
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(live_server.url + "/conseiller/")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    _check(page)


def test_enrolment_shows_secret_then_recovery_codes(desktop_page, live_server):
    page = desktop_page
    advisor = AdvisorFactory(unconfirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(advisor.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = advisor.user.get_session_auth_hash()
    session.save()
    connections.close_all()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )
    page.goto(live_server.url + "/conseiller/")
    page.wait_for_url("**/conseiller/activation")
    _check(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()
    page.locator("#recovery-codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    _check(page)


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_dashboard_and_lists(request, live_server, arras, page_fixture):
    page = request.getfixturevalue(page_fixture)
    advisor = AdvisorFactory()
    for i in range(30):
        CandidateProfileFactory(commune=arras, user__last_name=f"Candidat{i:02d}")
    OfferFactory(company=CompanyFactory(commune=arras, name="Fournil d'Arras"), trade=TradeFactory(code="coiffeur"))
    browser_login(page, live_server, advisor)
    page.goto(live_server.url + "/conseiller/")
    _check(page)
    page.get_by_role("link", name="Candidat·es sans mise en relation").click()
    page.wait_for_url("**/listes/candidats-sans-mise-en-relation")
    assert page.locator("tbody tr").count() == 25
    _check(page)
    page.get_by_role("link", name="Candidat·e : trier").click()
    page.wait_for_url("**tri=nom")
    assert "Candidat00" in page.locator("tbody tr").first.inner_text()
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url("**page=2")
    assert page.locator("tbody tr").count() == 5
    page.get_by_label("Famille de métiers").select_option("beaute_soins")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**famille=beaute_soins*")
    assert page.get_by_text("Rien à afficher avec ces filtres.").is_visible()
    page.goto(live_server.url + "/conseiller/listes/offres-sans-candidat")
    assert page.get_by_text("Personne ne cherche ce métier pour l'instant.").is_visible()
    _check(page)


def test_advisor_proposes_a_pair_by_hand(phone_page, live_server, arras):
    page = phone_page
    advisor = AdvisorFactory()
    candidate = CandidateProfileFactory(commune=arras, user__first_name="Inès", user__last_name="Durand")
    offer = OfferFactory(company=CompanyFactory(commune=arras, name="Fournil d'Arras"))
    Match.objects.all().delete()  # pas encore de paire automatique
    browser_login(page, live_server, advisor)
    page.goto(live_server.url + f"/conseiller/candidats/{candidate.pk}")
    assert page.locator("h1").inner_text() == "Inès Durand"
    _check(page)
    page.locator(f"label[for='offre-{offer.pk}']").click()
    page.get_by_role("button", name="Proposer cette mise en relation").click()
    page.wait_for_url("**/conseiller/mises-en-relation/*")
    assert page.get_by_text("Mise en relation proposée").is_visible()
    assert _db(lambda: Match.objects.get().proposed_by_id) == advisor.user.pk
    _check(page)


def test_csv_import_refuses_a_bad_line_then_accepts_a_good_file(phone_page, live_server, arras):
    page = phone_page
    TradeFactory()
    advisor = AdvisorFactory()
    header = "siret;raison_sociale;commune;metier;niveaux;types_contrat;date_debut;postes;description\n"
    bad = header + f"{_siret(1)};Fournil A;62041;boulanger;;;;;\n" + "123;Fournil B;62041;boulanger;;;;;\n"
    good = "\ufeff" + header + f"{_siret(1)};Fournil A;62041;boulanger;3;apprentissage;01/09/2027;1;\n"
    browser_login(page, live_server, advisor)
    page.goto(live_server.url + "/conseiller/import")
    _check(page)

    page.get_by_label("Fichier CSV").set_input_files(
        files=[{"name": "offres.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.locator("#import-errors").wait_for()
    assert "Ligne 3 : le SIRET 123 doit compter 14 chiffres." in page.locator("#import-errors").inner_text()
    assert not _db(Offer.objects.exists)
    _check(page)

    page.get_by_label("Fichier CSV").set_input_files(
        files=[{"name": "offres.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("Aperçu : 1 offre").wait_for()
    _check(page)
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url(live_server.url + "/conseiller/")
    assert page.get_by_text("Import terminé : 1 offre(s) pour 1 entreprise(s).").is_visible()
    assert _db(lambda: Offer.objects.get().company.name) == "Fournil A"


def test_other_back_office_pages_are_accessible(phone_page, live_server, arras):
    """Formulaires, fiches et pages de l'administrateur·rice : DSFR, 375 px, axe-core."""
    page = phone_page
    admin = AdvisorFactory(admin=True)
    advisor = AdvisorFactory()
    offer = OfferFactory(company=CompanyFactory(commune=arras))
    from tests.backoffice.factories import CmaFactory, MatchFactory

    match = MatchFactory(candidate=CandidateProfileFactory(commune=arras), offer=offer)
    CmaFactory(name="CMA Hauts-de-France")
    browser_login(page, live_server, admin)
    urls = [
        "/conseiller/candidats/nouveau",
        "/conseiller/offres/nouvelle",
        f"/conseiller/offres/{offer.pk}",
        f"/conseiller/offres/{offer.pk}/modifier",
        f"/conseiller/mises-en-relation/{match.pk}",
        "/conseiller/admin/cma",
        "/conseiller/admin/conseillers",
        f"/conseiller/admin/conseillers/{advisor.pk}/territoires",
        "/conseiller/admin/journal",
    ]
    for url in urls:
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1, url
        _check(page)
    page.goto(live_server.url + "/conseiller/candidats/nouveau")
    page.get_by_role("button", name="Créer le profil").click()
    page.get_by_text("Cochez la case : l'accord de la personne est obligatoire.").wait_for()
    _check(page)
