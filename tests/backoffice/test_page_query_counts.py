"""Les autres listes du back-office (recherche, entreprises à vérifier, fiches avec leurs paires, pages de
l'administration nationale) : autant de requêtes pour une ligne que pour plusieurs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.models import AuditLog
from matching.enums import MatchState
from offers.enums import ReportReason
from offers.models import Report
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory, CmaFactory, MatchFactory, advisor_login
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db

STATES = [MatchState.PROPOSED, MatchState.CONNECTED, MatchState.CANDIDATE_INTERESTED, MatchState.CONTRACT_SIGNED]


@pytest.fixture
def arras():
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


@pytest.fixture
def admin_client(client):
    return advisor_login(client, AdvisorFactory(admin=True))


def queries(client, url, data=None, method="get") -> int:
    """Les requêtes d'un second affichage (le premier remplit les caches de la session et des communes)."""
    getattr(client, method)(url, data or {})
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(captured)


def test_search_runs_the_same_queries_for_1_and_6_results(advisor_client, arras):
    def add(count):
        for _ in range(count):
            CandidateProfileFactory(commune=arras, user__last_name="Durand")
            # L'employeur s'appelle Durand lui aussi : sans cela, son nom tiré au hasard trouvait parfois la
            # recherche (« Durant ») et ajoutait les requêtes des employeur·ses à un seul des deux comptes.
            employer = UserFactory(employer=True, last_name="Durand")
            company = CompanyFactory(commune=arras, name="Boulangerie Durand", member=employer)
            OfferFactory(company=company, commune=arras)

    url = reverse("backoffice:search")
    add(1)
    one = queries(advisor_client, url, {"q": "durand"}, method="post")
    add(5)
    assert queries(advisor_client, url, {"q": "durand"}, method="post") == one
    page = text(advisor_client.post(url, {"q": "durand"}))
    assert "Candidat·es (6)" in page
    assert "Employeur·ses (6)" in page


def test_companies_to_verify_runs_the_same_queries_for_1_and_6_companies(advisor_client, arras):
    def add(count):
        for _ in range(count):
            CompanyFactory(commune=arras, unverified=True)
            orphan = CompanyFactory(commune=arras, member=False)
            MembershipFactory(company=orphan, pending=True)
            reported = OfferFactory(company=CompanyFactory(commune=arras), commune=arras)
            Report.objects.create(offer=reported, reporter=UserFactory(), reason=ReportReason.FAKE)

    url = reverse("backoffice:companies_to_verify")
    add(1)
    one = queries(advisor_client, url)
    add(5)
    assert queries(advisor_client, url) == one
    assert len(advisor_client.get(url).context["rows"]) == 18


def test_candidate_page_runs_the_same_queries_for_1_and_8_matches(advisor_client, arras):
    small, large = CandidateProfileFactory(commune=arras), CandidateProfileFactory(commune=arras)
    for candidate, count in ((small, 1), (large, 8)):
        for position in range(count):
            offer = OfferFactory(commune=arras, company__commune=arras, trade=candidate.trades.first())
            MatchFactory(candidate=candidate, offer=offer, state=STATES[position % 4])
    one = queries(advisor_client, reverse("backoffice:candidate", args=[small.pk]))
    assert queries(advisor_client, reverse("backoffice:candidate", args=[large.pk])) == one


def test_offer_page_runs_the_same_queries_for_1_and_8_matches(advisor_client, arras):
    small, large = OfferFactory(commune=arras), OfferFactory(commune=arras)
    for offer, count in ((small, 1), (large, 8)):
        for position in range(count):
            MatchFactory(candidate=CandidateProfileFactory(commune=arras), offer=offer, state=STATES[position % 4])
    one = queries(advisor_client, reverse("backoffice:offer", args=[small.pk]))
    assert queries(advisor_client, reverse("backoffice:offer", args=[large.pk])) == one
    assert len(advisor_client.get(reverse("backoffice:offer", args=[large.pk])).context["matches"]) == 8


def test_company_page_runs_the_same_queries_for_1_and_6_requests_and_reports(advisor_client, arras):
    small, large = CompanyFactory(commune=arras, member=False), CompanyFactory(commune=arras, member=False)
    for company, count in ((small, 1), (large, 6)):
        for _ in range(count):
            MembershipFactory(company=company, pending=True)
            offer = OfferFactory(company=company, commune=arras)
            Report.objects.create(offer=offer, reporter=UserFactory(), reason=ReportReason.FAKE)
    one = queries(advisor_client, reverse("backoffice:company", args=[small.pk]))
    assert queries(advisor_client, reverse("backoffice:company", args=[large.pk])) == one
    page = advisor_client.get(reverse("backoffice:company", args=[large.pk]))
    assert len(page.context["pending"]) == 6 and len(page.context["reported_offers"]) == 6


def test_cma_list_runs_the_same_queries_for_1_and_6_cmas(admin_client):
    def add(count):
        for _ in range(count):
            AdvisorFactory(cma=CmaFactory())

    url = reverse("backoffice:admin_cmas")
    add(1)
    one = queries(admin_client, url)
    add(5)
    assert queries(admin_client, url) == one


def test_advisor_list_runs_the_same_queries_for_1_and_6_advisors(admin_client):
    def add(count):
        for _ in range(count):
            AdvisorFactory(cma=CmaFactory(), departements=["59", "62"], regions=["32"])

    url = reverse("backoffice:admin_advisors")
    add(1)
    one = queries(admin_client, url)
    add(5)
    assert queries(admin_client, url) == one
    assert len(admin_client.get(url).context["advisors"]) == 6


def test_journal_runs_the_same_queries_for_1_and_8_entries(admin_client):
    def add(count):
        for position in range(count):
            actor = AdvisorFactory().user
            AuditLog.objects.create(
                actor=actor, action="candidat_consulte", object_type="candidateprofile", object_id=str(position)
            )

    url = reverse("backoffice:admin_journal")
    add(1)
    one = queries(admin_client, url)
    add(7)
    assert queries(admin_client, url) == one
    assert len(admin_client.get(url).context["page"].object_list) == 8
