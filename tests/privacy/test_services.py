import datetime

import pytest
from django.utils import timezone

from accounts.models import MagicLink, User
from accounts.services import magic_link_send
from matching.enums import MatchState
from matching.models import Match
from notifications.delivery import address_refuse
from notifications.models import OutboxEmail, UndeliverableAddress
from notifications.services import email_enqueue
from offers.enums import OfferStatus
from privacy import retention, services
from privacy.enums import AnonymisationReason
from privacy.models import AnonymisationRecord
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory

pytestmark = pytest.mark.django_db


def make_candidate(**kwargs):
    user = UserFactory(
        candidate=True, email="lea@example.org", first_name="Léa", last_name="Martin", phone="0601020304"
    )
    profile = CandidateProfileFactory(
        user=user,
        birth_date=datetime.date(2008, 7, 14),
        training_centre="CFA des métiers de Saint-Omer",
        presentation="J'adore le pain.",
        age_exception="rqth",
        **kwargs,
    )
    return user, profile


def test_anonymise_erases_personal_data_and_keeps_statistics():
    user, profile = make_candidate()
    offer = OfferFactory()
    match = Match.objects.create(candidate=profile, offer=offer, distance_km=3.2, state=MatchState.CONTRACT_SIGNED)
    magic_link_send(user=user)
    email_enqueue(key="other", to="LEA@example.org", template="accounts/emails/magic_link", context={"path": "/"})
    email_enqueue(key="someone", to="tom@example.org", template="accounts/emails/magic_link", context={"path": "/"})
    address_refuse(email="lea@example.org", smtp_code=550)
    address_refuse(email="tom@example.org", smtp_code=550)

    services.account_anonymise(user=user)

    user.refresh_from_db()
    profile.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("", "", "")
    assert user.email.endswith("@anonyme.invalid") and "lea" not in user.email
    assert not user.is_active and not user.has_usable_password()
    assert (profile.presentation, profile.training_centre, profile.age_exception) == ("", "", "")
    assert profile.birth_date == datetime.date(2008, 1, 1)  # l'année seule, pour les statistiques
    assert profile.commune_id is not None and profile.trades.count() == 1
    match.refresh_from_db()
    assert match.state == MatchState.CONTRACT_SIGNED
    assert not MagicLink.objects.filter(user=user).exists()
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["tom@example.org"]
    assert list(UndeliverableAddress.objects.values_list("email", flat=True)) == ["tom@example.org"]
    record = AnonymisationRecord.objects.get()
    assert (record.reason, record.role) == (AnonymisationReason.INACTIVE, "candidat")


def test_anonymous_emails_are_random_not_derived_from_the_address():
    first, second = UserFactory(email="a@example.org"), UserFactory(email="a2@example.org")
    services.account_anonymise(user=first)
    services.account_anonymise(user=second)
    emails = set(User.objects.values_list("email", flat=True))
    assert len(emails) == 2
    assert all(e.startswith("anonyme-") for e in emails)


def test_anonymising_twice_changes_nothing():
    user, _ = make_candidate()
    services.account_anonymise(user=user)
    email = User.objects.get(pk=user.pk).email
    services.account_anonymise(user=user)
    assert User.objects.get(pk=user.pk).email == email
    assert AnonymisationRecord.objects.count() == 1


def test_delete_is_recorded_as_requested():
    user, _ = make_candidate()
    services.account_delete(user=user)
    assert AnonymisationRecord.objects.get().reason == AnonymisationReason.REQUESTED


def test_employer_leaves_a_shared_company_which_keeps_its_offers():
    leaving, staying = UserFactory(employer=True), UserFactory(employer=True)
    company = CompanyFactory(member=leaving)
    MembershipFactory(company=company, user=staying)
    offer = OfferFactory(company=company)

    services.account_delete(user=leaving)

    assert list(company.members.all()) == [staying]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED


def test_last_employer_leaving_archives_the_offers_and_keeps_the_company_for_statistics():
    employer = UserFactory(employer=True, phone="0611111111")
    company = CompanyFactory(member=employer)
    offer = OfferFactory(company=company)

    services.account_delete(user=employer)

    company.refresh_from_db()
    offer.refresh_from_db()
    assert company.members.count() == 0
    assert offer.status == OfferStatus.ARCHIVED


def test_archived_offers_have_no_contact_field_left_to_blank():
    """Les offres n'ont pas de coordonnées propres : le contact passe par les membres de l'entreprise."""
    from offers.models import Offer

    names = {f.name for f in Offer._meta.concrete_fields}
    contact_like = {n for n in names if any(w in n for w in ("email", "phone", "contact", "telephone"))}
    assert contact_like <= set(retention.OFFER_CONTACT_FIELDS)
    OfferFactory(archived=True)
    assert services.offers_blank_contact(offers=Offer.objects.all()) == (1 if contact_like else 0)


def test_magic_links_are_purged_one_day_after_expiry():
    user = UserFactory()
    magic_link_send(user=user)
    now = timezone.now()
    assert services.magic_links_purge(now=now) == 0
    assert services.magic_links_purge(now=now + datetime.timedelta(hours=23)) == 0
    assert services.magic_links_purge(now=now + datetime.timedelta(days=1, minutes=16)) == 1


def test_anonymised_candidate_stops_searching_and_leaves_the_matching_index():
    from candidates.enums import SearchStatus
    from matching.indexes import candidate_index_sync
    from matching.models import CandidateTradeIndex

    user, profile = make_candidate()
    candidate_index_sync(profile=profile, trade_ids=list(profile.trades.values_list("pk", flat=True)), searching=True)
    assert CandidateTradeIndex.objects.filter(candidate=profile).exists()
    match = Match.objects.create(candidate=profile, offer=OfferFactory(), distance_km=1, state=MatchState.PROPOSED)

    services.account_anonymise(user=user)

    profile.refresh_from_db()
    match.refresh_from_db()
    assert profile.status == SearchStatus.PAUSED
    assert not CandidateTradeIndex.objects.filter(candidate=profile).exists()
    assert (match.state, match.is_active) == (MatchState.PROPOSED, False)


def test_candidate_who_found_a_contract_keeps_that_status_for_statistics():
    from candidates.enums import SearchStatus

    user, profile = make_candidate(status=SearchStatus.FOUND, found_contract_at=timezone.now())
    services.account_anonymise(user=user)
    profile.refresh_from_db()
    assert profile.status == SearchStatus.FOUND


def test_franceconnect_identity_and_link_requests_are_deleted():
    from franceconnect.models import FranceConnectIdentity, LinkRequest

    user, _ = make_candidate()
    identity = {"sub": "abc", "given_name": "Léa", "family_name": "Martin", "birthdate": datetime.date(2008, 7, 14)}
    FranceConnectIdentity.objects.create(user=user, **identity)
    LinkRequest.objects.create(user=user, token_hash="x" * 64, expires_at=timezone.now(), **identity)

    services.account_anonymise(user=user)

    assert not FranceConnectIdentity.objects.exists()
    assert not LinkRequest.objects.exists()


def test_expired_franceconnect_link_requests_are_purged_too():
    from franceconnect.models import LinkRequest

    now = timezone.now()
    LinkRequest.objects.create(
        user=UserFactory(),
        token_hash="y" * 64,
        expires_at=now - datetime.timedelta(days=2),
        sub="s",
        given_name="A",
        family_name="B",
        birthdate=datetime.date(2000, 1, 1),
    )
    assert services.magic_links_purge(now=now) == 1
    assert not LinkRequest.objects.exists()


def test_advisor_profile_and_its_second_factor_are_deleted():
    from backoffice.models import AdvisorProfile
    from tests.backoffice.factories import AdvisorFactory

    advisor = AdvisorFactory()
    services.account_delete(user=advisor.user)
    assert not AdvisorProfile.objects.exists()
    assert is_anonymised_user(advisor.user)


def is_anonymised_user(user):
    return services.is_anonymised(User.objects.get(pk=user.pk))


def test_deleting_a_candidate_redacts_the_contact_email_kept_for_the_employer(django_capture_on_commit_callbacks):
    """L'e-mail « en relation » de l'employeur porte le nom, l'e-mail et le téléphone du ou de la jeune."""
    from matching import services as matching_services
    from matching.models import Match
    from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory

    profile = CandidateProfileFactory(
        user__first_name="Léa", user__last_name="Dupont", user__email="lea@example.org", user__phone="+33611223344"
    )
    match = MatchFactory(candidate=profile, offer=OfferFactory(trade=profile.trades.first()))
    with django_capture_on_commit_callbacks(execute=True):  # les e-mails partent
        matching_services.match_candidate_answer(match=match, interested=True)
        matching_services.match_employer_answer(match=Match.objects.get(pk=match.pk), interested=True)
    member = match.offer.company.members.get()
    to_employer = OutboxEmail.objects.get(key=f"matching:connected_employer:u{member.pk}:m{match.pk}")
    assert "lea@example.org" in to_employer.body and "+33611223344" in to_employer.body
    assert profile.user in to_employer.concerns.all()

    services.account_delete(user=profile.user)

    for subject, body in OutboxEmail.objects.values_list("subject", "body"):
        for data in ("Léa", "Dupont", "lea@example.org", "+33611223344", "06 11 22 33 44"):
            assert data not in subject and data not in body
    to_employer.refresh_from_db()
    assert to_employer.to == member.email and to_employer.redacted_at is not None


def test_deleting_an_employer_redacts_the_requests_sent_to_the_members(
    django_capture_on_commit_callbacks,
):
    from employers.services import company_join_or_create
    from tests.offers.factories import CompanyFactory

    company = CompanyFactory(siret="83014132100034")
    newcomer = UserFactory(first_name="Paul", last_name="Fournier", email="paul@example.org", employer=True)
    with django_capture_on_commit_callbacks(execute=True):
        company_join_or_create(user=newcomer, siret=company.siret, name=company.name, commune=company.commune)
    notice = OutboxEmail.objects.get(key__startswith="company-membership-request:")
    assert "Paul Fournier" in notice.subject + notice.body and newcomer in notice.concerns.all()

    services.account_delete(user=newcomer)

    notice.refresh_from_db()
    assert "Paul" not in notice.subject + notice.body and "paul@example.org" not in notice.body


def test_sent_email_bodies_are_blanked_after_30_days(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        magic_link_send(user=user)
    email = OutboxEmail.objects.get()
    assert email.body and email.sent_at
    assert (
        services.sent_emails_redact(now=email.sent_at + retention.SENT_EMAIL_CONTENT - datetime.timedelta(minutes=1))
        == 0
    )
    assert (
        services.sent_emails_redact(now=email.sent_at + retention.SENT_EMAIL_CONTENT + datetime.timedelta(minutes=1))
        == 1
    )
    email.refresh_from_db()
    assert (email.subject, email.body, email.to) == ("", "", "lea@example.org")
