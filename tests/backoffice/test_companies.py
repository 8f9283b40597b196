"""« Entreprises à vérifier » : les conseiller·es de leur territoire vérifient ou refusent les nouvelles
entreprises, décident des demandes pour rejoindre une entreprise sans membre et des offres signalées."""

import pytest
from django.urls import reverse

from backoffice.enums import AuditAction
from backoffice.models import AuditLog
from employers.enums import MembershipStatus, VerificationSource, VerificationStatus
from employers.models import Membership
from notifications.models import OutboxEmail
from offers.enums import OfferStatus, ReportReason, ReportTarget
from offers.models import Report
from tests.accounts.factories import UserFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def arras():
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras")


def test_the_list_shows_the_territory_companies_to_verify_with_their_reasons(advisor_client, arras):
    CompanyFactory(
        commune=arras, unverified=True, name="Salon Nouveau", verification_reasons=["hors_repertoire", "recente"]
    )
    CompanyFactory(commune=arras, name="Fournil Vérifié")
    orphan = CompanyFactory(commune=arras, name="Atelier Sans Membre", member=False)
    MembershipFactory(company=orphan, pending=True)
    reported = OfferFactory(company=CompanyFactory(commune=arras, name="Garage Signalé"))
    Report.objects.create(offer=reported, reporter=UserFactory(), reason=ReportReason.FAKE)
    CompanyFactory(commune=CommuneFactory(departement=DepartementFactory(code="13")), unverified=True, name="Hors Zone")
    page = text(advisor_client.get(reverse("backoffice:companies_to_verify")))
    assert "Salon Nouveau" in page
    assert "Absente du répertoire des métiers ; Créée il y a moins de 3 mois" in page
    assert "Atelier Sans Membre" in page and "Garage Signalé" in page
    assert "Fournil Vérifié" not in page and "Hors Zone" not in page
    assert "Entreprises à vérifier" in text(advisor_client.get(reverse("backoffice:home")))


def test_an_advisor_verifies_a_company_and_it_is_in_the_journal(advisor_client, advisor, arras):
    company = CompanyFactory(commune=arras, unverified=True)
    page = text(advisor_client.get(reverse("backoffice:company", args=[company.pk])))
    assert "Absente du répertoire des métiers" in page
    advisor_client.post(reverse("backoffice:company_decide", args=[company.pk]), {"decision": "verifier"})
    company.refresh_from_db()
    assert (company.verification_status, company.verification_source) == (
        VerificationStatus.VERIFIED,
        VerificationSource.ADVISOR,
    )
    entry = AuditLog.objects.get(action=AuditAction.COMPANY_VERIFIED)
    assert (entry.actor, entry.object_id) == (advisor.user, str(company.pk))
    advisor_client.post(reverse("backoffice:company_decide", args=[company.pk]), {"decision": "refuser"})
    company.refresh_from_db()
    assert company.verification_status == VerificationStatus.REJECTED


def test_a_company_outside_the_territory_does_not_exist_for_the_advisor(advisor_client):
    far = CompanyFactory(commune=CommuneFactory(departement=DepartementFactory(code="13")), unverified=True)
    assert advisor_client.get(reverse("backoffice:company", args=[far.pk])).status_code == 404
    response = advisor_client.post(reverse("backoffice:company_decide", args=[far.pk]), {"decision": "verifier"})
    assert response.status_code == 404
    far.refresh_from_db()
    assert far.verification_status == VerificationStatus.TO_VERIFY


def test_an_advisor_approves_a_request_for_a_company_without_members(advisor_client, advisor, arras):
    company = CompanyFactory(commune=arras, member=False)
    request = MembershipFactory(company=company, pending=True)
    advisor_client.post(
        reverse("backoffice:company_membership_decide", args=[company.pk, request.pk]), {"decision": "accepter"}
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (MembershipStatus.APPROVED, advisor.user)
    assert AuditLog.objects.filter(action=AuditAction.MEMBERSHIP_APPROVED, actor=advisor.user).exists()
    assert OutboxEmail.objects.filter(to=request.user.email, subject__startswith="Vous avez rejoint").exists()


def test_an_advisor_does_not_decide_for_a_company_that_has_members(advisor_client, arras):
    company = CompanyFactory(commune=arras)
    request = MembershipFactory(company=company, pending=True)
    response = advisor_client.post(
        reverse("backoffice:company_membership_decide", args=[company.pk, request.pk]),
        {"decision": "accepter"},
        follow=True,
    )
    assert "ce sont eux qui décident des demandes" in text(response)
    assert Membership.objects.get(pk=request.pk).status == MembershipStatus.PENDING


@pytest.mark.parametrize(
    ("decision", "status", "suspended"), [("garder", "publiee", False), ("retirer", "archivee", False)]
)
def test_an_advisor_decides_on_a_reported_offer(advisor_client, arras, decision, status, suspended):
    offer = OfferFactory(company=CompanyFactory(commune=arras), matching_suspended=True)
    for _ in range(3):
        Report.objects.create(offer=offer, reporter=UserFactory(), reason=ReportReason.FAKE, target=ReportTarget.OFFER)
    page = text(advisor_client.get(reverse("backoffice:company", args=[offer.company.pk])))
    assert "mise en relation suspendue" in page and "L'offre ou l'entreprise semble fausse" in page
    advisor_client.post(
        reverse("backoffice:company_reports_decide", args=[offer.company.pk, offer.pk]), {"decision": decision}
    )
    offer.refresh_from_db()
    assert (offer.status, offer.matching_suspended) == (status, suspended)
    assert not Report.objects.open().exists()
    assert AuditLog.objects.filter(action=AuditAction.REPORTS_DECIDED, object_id=str(offer.pk)).exists()
    assert OfferStatus(offer.status)


def test_companies_created_by_an_advisor_are_verified_and_without_members(advisor, arras):
    from backoffice import services

    company = services.company_get_or_create(actor=advisor.user, siret="73282932000074", name="Atelier", commune=arras)
    assert company.is_verified and company.verification_source == VerificationSource.ADVISOR
    assert not company.members.exists()


def test_every_company_event_has_its_journal_action():
    from employers.enums import CompanyEvent

    assert {(e.value, e.label) for e in CompanyEvent} <= {(a.value, a.label) for a in AuditAction}


def test_phones_are_shown_in_national_format_in_the_back_office(advisor_client, arras):
    company = CompanyFactory(commune=arras, member=False)
    MembershipFactory(company=company, pending=True, user__phone="+33612345678")
    page = text(advisor_client.get(reverse("backoffice:company", args=[company.pk])))
    assert "06 12 34 56 78" in page and "+33612345678" not in page
