"""La recherche du back-office : une boîte, quatre familles, le territoire seulement, journalisée."""

import pytest
from django.db import connection

from backoffice.models import AuditLog
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def arras():
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


@pytest.fixture
def lille():
    return CommuneFactory(code="59350", departement=DepartementFactory(code="59"), name="Lille", lat=50.63, lng=3.06)


def _search(client, q):
    return client.post("/conseiller/recherche", {"q": q})


def test_the_search_box_is_on_every_back_office_page(advisor_client):
    for url in ("/conseiller/", "/conseiller/candidats/nouveau", "/conseiller/entreprises/a-verifier"):
        page = advisor_client.get(url).content.decode()
        assert 'action="/conseiller/recherche"' in page and 'role="search"' in page


def test_search_by_name_finds_a_candidate_of_the_territory_only(advisor_client, arras, lille):
    inside = CandidateProfileFactory(commune=arras, user__first_name="Inès", user__last_name="Durand")
    CandidateProfileFactory(commune=lille, user__first_name="Inès", user__last_name="Durand")
    response = _search(advisor_client, "ines durand")
    page = text(response)
    assert response.status_code == 200
    assert f'href="/conseiller/candidats/{inside.pk}"' in response.content.decode()
    assert page.count("Inès Durand") == 1  # celle de Lille n'existe pas pour ce territoire
    assert "Candidat·es (1)" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fautes de frappe : trigrammes de PostgreSQL")
def test_search_tolerates_a_typo_and_accents(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras, user__first_name="Hélène", user__last_name="Dupont")
    response = _search(advisor_client, "helene dupond")
    assert f'href="/conseiller/candidats/{candidate.pk}"' in response.content.decode()


def test_search_by_phone_in_any_format(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras, user__phone="+33612345678")
    for q in ("06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78"):
        response = _search(advisor_client, q)
        assert f'href="/conseiller/candidats/{candidate.pk}"' in response.content.decode(), q
        assert "06 12 34 56 78" in text(response)  # affiché au format national


def test_search_by_email_and_by_siret_and_siren(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras, user__email="ines.durand@example.org")
    response = _search(advisor_client, "Ines.Durand@")
    assert f'href="/conseiller/candidats/{candidate.pk}"' in response.content.decode()

    employer = UserFactory(employer=True, first_name="Paul", last_name="Martin")
    company = CompanyFactory(commune=arras, siret="12345678900011", name="Fournil d'Arras", member=employer)
    offer = OfferFactory(company=company)
    for q in ("12345678900011", "123 456 789", "123456789"):
        page = _search(advisor_client, q).content.decode()
        assert f'href="/conseiller/entreprises/{company.pk}"' in page, q
        assert f'href="/conseiller/offres/{offer.pk}"' in page, q
        assert "Paul Martin" in page, q


def test_search_by_commune_and_offer_title_groups_results_by_kind(advisor_client, arras):
    trade = TradeFactory(code="patissier", label="Pâtissier / Pâtissière")
    company = CompanyFactory(commune=arras, name="Maison Lefebvre")
    offer = OfferFactory(company=company, trade=trade)
    candidate = CandidateProfileFactory(commune=arras)
    response = _search(advisor_client, "patissier")
    assert f'href="/conseiller/offres/{offer.pk}"' in response.content.decode()
    response = _search(advisor_client, "arras")
    page = response.content.decode()
    assert f'href="/conseiller/candidats/{candidate.pk}"' in page
    assert f'href="/conseiller/entreprises/{company.pk}"' in page
    assert f'href="/conseiller/offres/{offer.pk}"' in page
    headings = [h for h in ("Candidat·es (", "Entreprises (", "Offres (") if h in text(response)]
    assert len(headings) == 3


def test_a_search_showing_people_is_logged_without_the_query(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras, user__first_name="Inès", user__last_name="Durand")
    _search(advisor_client, "Durand")
    entry = AuditLog.objects.get(action="recherche")
    assert entry.details["candidates"] == [candidate.pk]
    assert "Durand" not in str(entry.details) and "Durand" not in entry.object_id


def test_the_query_stays_out_of_the_url_and_bad_input_is_explained(advisor_client):
    assert advisor_client.get("/conseiller/recherche?q=Durand").status_code == 200
    assert not AuditLog.objects.filter(action="recherche").exists()  # GET : pas de recherche
    response = _search(advisor_client, "a")
    assert response.status_code == 200
    assert "Indiquez au moins 2 caractères." in text(response)
