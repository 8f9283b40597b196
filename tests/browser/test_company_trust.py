"""Rattachement accordé et entreprises vérifiées, dans le navigateur (375 px, axe-core) : l'espace d'un
employeur en attente, la page où un membre accepte la demande, la liste « Entreprises à vérifier »."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from employers.enums import MembershipStatus
from employers.models import Membership
from tests.backoffice.factories import AdvisorFactory
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_backoffice import browser_login
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    connections.close_all()


def _check(page):
    assert_fits_width(page)
    assert_accessible(page)


def login_as(page, live_server, user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    connections.close_all()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


@pytest.fixture
def world(db):
    arras = CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)
    company = CompanyFactory(commune=arras, name="Fournil d'Arras", siret="83014132100034")
    OfferFactory(company=company, description="Recette secrète du fournil")
    request = MembershipFactory(company=company, pending=True, user__first_name="Paul", user__last_name="Nouveau")
    return {"arras": arras, "company": company, "request": request, "member": company.members.get()}


def test_the_pending_employer_sees_where_they_stand_and_nothing_else(phone_page, live_server, world):
    page = phone_page
    login_as(page, live_server, world["request"].user)
    page.goto(live_server.url + "/employeur/")
    page.get_by_role("heading", name="Demande en attente pour l'établissement 83014132100034").wait_for()
    body = page.content()
    assert "Recette secrète du fournil" not in body and "Fournil d'Arras" not in body
    assert world["member"].email not in body
    _check(page)


def test_a_member_accepts_the_request_from_the_link(phone_page, live_server, world):
    page = phone_page
    request = world["request"]
    login_as(page, live_server, world["member"])
    page.goto(live_server.url + f"/employeur/demandes/{request.pk}")
    page.get_by_role("heading", name="Demande pour rejoindre Fournil d'Arras").wait_for()
    _check(page)
    page.get_by_role("button", name="Accepter").click()
    page.wait_for_url(f"**/employeur/etablissements/{world['company'].pk}/membres")
    page.get_by_text("Paul Nouveau a rejoint Fournil d'Arras.").wait_for()
    _check(page)
    try:
        assert Membership.objects.get(pk=request.pk).status == MembershipStatus.APPROVED
    finally:
        connections.close_all()


def test_the_advisor_verifies_a_company_from_the_list(phone_page, live_server, world):
    page = phone_page
    CompanyFactory(
        commune=world["arras"], unverified=True, name="Salon Tout Neuf", verification_reasons=["hors_repertoire"]
    )
    advisor = AdvisorFactory()
    browser_login(page, live_server, advisor)
    page.goto(live_server.url + "/conseiller/entreprises/a-verifier")
    page.get_by_role("heading", name="Entreprises à vérifier").wait_for()
    assert "Absente du répertoire des métiers" in page.content()
    _check(page)
    page.get_by_role("link", name="Salon Tout Neuf").click()
    page.get_by_role("heading", name="Salon Tout Neuf").wait_for()
    _check(page)
    page.get_by_role("button", name="L'entreprise est vérifiée").click()
    page.get_by_text("Entreprise vérifiée : ses offres sont proposées aux jeunes.").wait_for()
    _check(page)
