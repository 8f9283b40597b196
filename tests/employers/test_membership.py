"""Le rattachement à un établissement est accordé, jamais pris : un compte qui s'inscrit avec le SIRET d'une
entreprise déjà inscrite n'en voit rien (pages, exports, e-mails) tant qu'un membre n'a pas accepté."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from backoffice.enums import AuditAction
from backoffice.models import AuditLog
from employers import services
from employers.enums import MembershipStatus, VerificationSource, VerificationStatus
from employers.models import Company, Membership
from matching import services as matching_services
from matching.enums import MatchState
from notifications.models import OutboxEmail
from offers import services as offer_services
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory
from tests.matching.factories import MatchFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db

SIRET = "83014132100034"


def _post_signup(client, data, **kwargs):
    """L'inscription met en file le travail (après le commit) : on l'exécute ici."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("employers:signup"), data, **kwargs)


def _signup(client, commune, **overrides):
    data = {
        "first_name": "Intrus",
        "last_name": "Malin",
        "email": "intrus@example.org",
        "phone": "06 11 22 33 44",
        "siret": SIRET,
        "company_name": "Boulangerie du Beffroi",
        "commune": commune.code,
        "naf_code": "",
        "staff_band": "0-10",
        **overrides,
    }
    response = _post_signup(client, data)
    assert response.status_code == 302, text(response)
    return User.objects.get(email=data["email"])


@pytest.fixture
def company_world():
    """Une entreprise inscrite, son offre, une jeune en relation (nom, e-mail, téléphone) et une proposée."""
    commune = CommuneFactory(code="62193", name="Calais", postal_codes=["62100"])
    company = CompanyFactory(siret=SIRET, commune=commune, name="Boulangerie du Beffroi")
    offer = OfferFactory(company=company, description="Secret de fabrication")
    connected = MatchFactory(
        offer=offer,
        candidate=CandidateProfileFactory(
            commune=commune, user__first_name="Zoé", user__last_name="Lenoir", user__phone="0699887766"
        ),
        state=MatchState.CONNECTED,
        connected_at=timezone.now(),
    )
    proposed = MatchFactory(offer=offer, candidate=CandidateProfileFactory(commune=commune, user__first_name="Yanis"))
    return {"commune": commune, "company": company, "offer": offer, "connected": connected, "proposed": proposed}


def secrets_of(world) -> list[str]:
    member = world["company"].members.get()
    zoe = world["connected"].candidate.user
    return [zoe.first_name, zoe.last_name, zoe.email, "99 88 77 66", "Yanis", "Secret de fabrication", member.email]


def test_signup_with_an_existing_siret_only_requests_and_the_members_get_a_link(client, company_world):
    company = company_world["company"]
    first_member = company.members.get()
    user = _signup(client, company_world["commune"])
    assert list(company.members.all()) == [first_member]
    membership = Membership.objects.get(user=user)
    assert membership.status == MembershipStatus.PENDING
    notice = OutboxEmail.objects.get(to=first_member.email)
    assert "Intrus Malin demande à rejoindre" in notice.subject
    assert f"/employeur/demandes/{membership.pk}" in notice.body
    audit = AuditLog.objects.get(action=AuditAction.MEMBERSHIP_REQUESTED)
    assert audit.details == {"company_id": company.pk, "user_id": user.pk, "source": "inscription"}
    assert "Intrus" not in str(audit.details)


def test_a_pending_member_sees_nothing_of_the_company_anywhere(client, company_world):
    world = company_world
    offer, connected, proposed = world["offer"], world["connected"], world["proposed"]
    pending = _signup(client, world["commune"])
    client.force_login(pending)
    secrets = secrets_of(world)

    pages = [
        reverse("matching:employer_home"),
        reverse("matching:offer_detail", args=[offer.pk]),
        reverse("offers:update", args=[offer.pk]),
        reverse("offers:published", args=[offer.pk]),
        reverse("employers:company_members", args=[world["company"].pk]),
        reverse("privacy:my_data"),
        reverse("privacy:my_data_export"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302, 404), page
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for secret in secrets:
            assert secret not in body.decode(), f"{secret} visible sur {page}"
    home = text(client.get(reverse("matching:employer_home")))
    assert "Demande en attente pour l'établissement 83014132100034" in home
    assert "vous ne voyez ni ses offres ni ses candidat·es" in home
    # Ni déposer une offre pour l'établissement, ni répondre aux candidat·es, ni changer l'offre.
    assert client.get(reverse("offers:create")).url == reverse("employers:company_add")
    assert (
        client.post(
            reverse("matching:employer_answer", args=[offer.pk, proposed.pk]), {"interested": "oui"}
        ).status_code
        == 404
    )
    assert client.post(reverse("offers:transition", args=[offer.pk]), {"action": "archiver"}).status_code == 404
    assert (
        client.post(reverse("matching:employer_outcome", args=[offer.pk, connected.pk]), {"state": "contrat_signe"})
    ).status_code == 404
    proposed.refresh_from_db()
    offer.refresh_from_db()
    assert (proposed.state, offer.status) == (MatchState.PROPOSED, "publiee")


def test_a_pending_member_gets_none_of_the_company_emails(client, company_world):
    world = company_world
    offer = world["offer"]
    pending = _signup(client, world["commune"])
    member = world["company"].members.get()
    new = CandidateProfileFactory(commune=world["commune"])
    match = matching_services.match_propose_by_hand(candidate=new, offer=offer, by_user=None)  # alerte aux membres
    matching_services.match_candidate_answer(match=match, interested=True)
    matching_services.matches_remind_and_expire(now=timezone.now() + datetime.timedelta(days=8))
    offer_services.offers_send_expiry_reminders(now=offer.expires_at - datetime.timedelta(days=6))
    matching_services.match_employer_answer(match=world["proposed"], interested=True)
    matching_services.match_candidate_answer(match=world["proposed"], interested=True)  # en relation
    to_member = set(OutboxEmail.objects.filter(to=member.email).values_list("subject", flat=True))
    assert len(to_member) >= 4  # l'alerte, l'intérêt, la relance, l'expiration, la mise en relation…
    to_pending = list(OutboxEmail.objects.filter(to=pending.email).values_list("subject", flat=True))
    assert all("connexion" in subject.lower() for subject in to_pending), to_pending
    connected_mail = OutboxEmail.objects.get(to=world["proposed"].candidate.user.email, subject__icontains="relation")
    assert pending.email not in connected_mail.body and member.email in connected_mail.body


def test_a_member_approves_from_the_link_with_a_post_and_the_requester_then_sees(client, company_world):
    world = company_world
    pending = _signup(client, world["commune"])
    membership = Membership.objects.get(user=pending)
    member = world["company"].members.get()
    client.force_login(member)
    url = reverse("employers:membership_request", args=[membership.pk])
    page = text(client.get(url))  # le lien de l'e-mail : une page, rien n'est écrit
    assert "Intrus Malin" in page and "Accepter" in page
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING
    response = client.post(url, {"decision": "accepter"})
    assert response.url == reverse("employers:company_members", args=[world["company"].pk])
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == (MembershipStatus.APPROVED, member)
    assert OutboxEmail.objects.filter(to=pending.email, subject__startswith="Vous avez rejoint").exists()
    assert AuditLog.objects.filter(action=AuditAction.MEMBERSHIP_APPROVED, actor=member).exists()
    client.force_login(pending)
    assert "Zoé" in text(client.get(reverse("matching:offer_detail", args=[world["offer"].pk])))


def test_a_refused_member_who_tries_again_is_told_and_nothing_changes(client, company_world):
    world = company_world
    pending = _signup(client, world["commune"])
    membership = Membership.objects.get(user=pending)
    member = world["company"].members.get()
    client.force_login(member)
    client.post(reverse("employers:membership_request", args=[membership.pk]), {"decision": "refuser"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REFUSED
    assert AuditLog.objects.filter(action=AuditAction.MEMBERSHIP_REFUSED).exists()
    # La décision déjà prise ne se refait pas.
    response = client.post(reverse("employers:membership_request", args=[membership.pk]), {"decision": "accepter"})
    assert "Cette demande a déjà été traitée : refusé." in text(client.get(response.url))
    client.force_login(pending)
    response = client.post(
        reverse("employers:company_add"),
        {"siret": SIRET, "company_name": "Encore", "commune": world["commune"].code, "staff_band": "0-10"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Votre demande pour rejoindre l'établissement 83014132100034 a été refusée." in page
    assert 'value="Encore"' in page
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REFUSED
    assert "Demande refusée pour l'établissement" in text(client.get(reverse("matching:employer_home")))


def test_a_second_request_for_the_same_company_is_explained(client, company_world):
    world = company_world
    employer = MembershipFactory(company=CompanyFactory(), status=MembershipStatus.APPROVED).user
    client.force_login(employer)
    data = {"siret": SIRET, "company_name": "X", "commune": world["commune"].code, "staff_band": "0-10"}
    first = client.post(reverse("employers:company_add"), data)
    assert first.url == reverse("matching:employer_home")
    second = client.post(reverse("employers:company_add"), data)
    assert "Votre demande pour rejoindre l'établissement 83014132100034 est déjà en attente" in text(second)
    assert Membership.objects.filter(user=employer, company=world["company"]).count() == 1
    assert len(OutboxEmail.objects.filter(to=world["company"].members.get().email)) == 1


def test_members_remove_a_member_but_never_the_last_one(client):
    company = CompanyFactory()
    first = company.members.get()
    second = MembershipFactory(company=company).user
    client.force_login(first)
    removal = Membership.objects.get(company=company, user=second)
    url = reverse("employers:member_remove", args=[company.pk, removal.pk])
    client.post(url)
    removal.refresh_from_db()
    assert removal.status == MembershipStatus.REMOVED
    assert AuditLog.objects.filter(action=AuditAction.MEMBER_REMOVED, actor=first).exists()
    own = Membership.objects.get(company=company, user=first)
    response = client.post(reverse("employers:member_remove", args=[company.pk, own.pk]))
    assert "Vous êtes le dernier membre de cet établissement" in text(client.get(response.url))
    assert list(company.members.all()) == [first]
    # Un membre retiré ne voit plus rien et ne peut plus retirer personne.
    client.force_login(second)
    assert client.post(reverse("employers:member_remove", args=[company.pk, own.pk])).status_code == 404


def test_the_members_page_and_the_request_page_are_only_for_members(client, company_world):
    world = company_world
    pending = _signup(client, world["commune"])
    membership = Membership.objects.get(user=pending)
    client.force_login(pending)  # la personne en attente ne peut pas s'approuver elle-même
    assert client.get(reverse("employers:membership_request", args=[membership.pk])).status_code == 404
    assert (
        client.post(reverse("employers:membership_request", args=[membership.pk]), {"decision": "accepter"}).status_code
        == 404
    )
    with pytest.raises(services.MembershipError):
        services.membership_decide(membership=membership, by=pending, approve=True)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_a_company_without_members_waits_for_an_advisor(client):
    commune = CommuneFactory(code="62193")
    company = CompanyFactory(siret=SIRET, commune=commune, member=False)
    OfferFactory(company=company)
    user = _signup(client, commune)
    assert Membership.objects.get(user=user).status == MembershipStatus.PENDING
    assert not Company.objects.for_member(user).exists()
    assert not OutboxEmail.objects.exclude(to=user.email).exists()


def test_proconnect_approves_and_verifies(company_world):
    world = company_world
    user = User.objects.create_user(email="pro@example.org", role="employeur")
    MembershipFactory(company=world["company"], user=user, pending=True)
    company = services.membership_approve_from_proconnect(user=user, siret=SIRET)
    assert company == world["company"]
    assert Membership.objects.get(user=user).status == MembershipStatus.APPROVED
    assert AuditLog.objects.filter(action=AuditAction.MEMBERSHIP_APPROVED, details__source="proconnect").exists()
    assert services.membership_approve_from_proconnect(user=user, siret="73282932000074") is None


def test_proconnect_verifies_an_unverified_company():
    company = CompanyFactory(unverified=True, member=False)
    user = User.objects.create_user(email="pro@example.org", role="employeur")
    services.membership_approve_from_proconnect(user=user, siret=company.siret)
    company.refresh_from_db()
    assert (company.verification_status, company.verification_source) == (
        VerificationStatus.VERIFIED,
        VerificationSource.PROCONNECT,
    )
    assert list(company.members.all()) == [user]
    assert AuditLog.objects.filter(action=AuditAction.COMPANY_VERIFIED).exists()
