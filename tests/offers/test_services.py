import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.models import OutboxEmail
from offers import services
from offers.enums import OfferStatus
from offers.models import Offer
from tests.accounts.factories import UserFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def rematches(monkeypatch):
    """Les offres pour lesquelles la mise en relation a été relancée."""
    calls = []
    monkeypatch.setattr("matching.tasks.schedule_rematch_for_offer", lambda offer: calls.append(offer.pk))
    return calls


def test_transition_table_refuses_everything_it_does_not_list():
    allowed = {(status, action) for status in OfferStatus for action in services.ERROR_MESSAGES}
    for status, action in allowed:
        if (status, action) in services.TRANSITIONS:
            assert services.next_status(status, action) == services.TRANSITIONS[(status, action)]
        else:
            with pytest.raises(services.OfferTransitionError) as error:
                services.next_status(status, action)
            assert str(error.value) == services.ERROR_MESSAGES[action]


def test_archived_is_final_and_draft_is_never_reached_again():
    assert not [key for key in services.TRANSITIONS if key[0] == OfferStatus.ARCHIVED]
    assert OfferStatus.DRAFT not in services.TRANSITIONS.values()


@time_machine.travel(NOW, tick=False)
def test_offer_create_then_publish_sets_a_60_day_expiry(rematches):
    company = CompanyFactory()
    offer = services.offer_create(
        company=company, trade=TradeFactory(), contract_types=["apprentissage"], commune=company.commune, publish=True
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.published_at == NOW
    assert offer.expires_at == NOW + datetime.timedelta(days=60)
    assert rematches == [offer.pk]


def test_offer_create_as_draft_does_not_rematch(rematches):
    company = CompanyFactory()
    offer = services.offer_create(company=company, trade=TradeFactory(), commune=company.commune)
    assert offer.status == OfferStatus.DRAFT
    assert offer.expires_at is None
    assert rematches == []


def test_publish_twice_is_refused_in_french():
    offer = OfferFactory()
    with pytest.raises(services.OfferTransitionError, match="Seul un brouillon peut être publié"):
        services.offer_publish(offer=offer)


def test_update_of_a_published_offer_rematches(rematches):
    offer = OfferFactory()
    services.offer_update(offer=offer, positions=3, description="Nouveau texte")
    offer.refresh_from_db()
    assert (offer.positions, offer.description) == (3, "Nouveau texte")
    assert rematches == [offer.pk]


def test_update_of_a_draft_does_not_rematch(rematches):
    offer = OfferFactory(draft=True)
    services.offer_update(offer=offer, positions=2)
    assert rematches == []


@pytest.mark.parametrize("trait", ["filled", "archived"])
def test_update_of_a_closed_offer_is_refused(trait):
    offer = OfferFactory(**{trait: True})
    with pytest.raises(services.OfferTransitionError, match="ne peut plus être modifiée"):
        services.offer_update(offer=offer, positions=2)


def test_update_cannot_drop_below_filled_positions():
    offer = OfferFactory(positions=3, filled_positions=2)
    with pytest.raises(services.OfferTransitionError, match="2 poste"):
        services.offer_update(offer=offer, positions=1)


def test_update_rejects_unknown_fields():
    with pytest.raises(TypeError):
        services.offer_update(offer=OfferFactory(), status=OfferStatus.FILLED)


def test_extend_an_expired_offer_publishes_it_again_for_60_days_from_now(rematches):
    offer = OfferFactory(expired=True)
    with time_machine.travel(NOW, tick=False):
        services.offer_extend(offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.expires_at == NOW + datetime.timedelta(days=60)
    assert rematches == [offer.pk]


def test_extend_a_draft_is_refused():
    with pytest.raises(services.OfferTransitionError, match="prolongée"):
        services.offer_extend(offer=OfferFactory(draft=True))


@pytest.mark.parametrize("trait", [{"draft": True}, {}, {"expired": True}, {"filled": True}])
def test_any_offer_can_be_archived_once(trait, rematches):
    offer = OfferFactory(**trait)
    services.offer_archive(offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ARCHIVED
    assert rematches == [offer.pk]
    with pytest.raises(services.OfferTransitionError, match="déjà archivée"):
        services.offer_archive(offer=offer)


def test_position_filled_counts_then_fills_the_offer(rematches):
    offer = OfferFactory(positions=2)
    services.offer_position_filled(offer=offer)
    offer.refresh_from_db()
    assert (offer.filled_positions, offer.status) == (1, OfferStatus.PUBLISHED)
    services.offer_position_filled(offer=offer)
    offer.refresh_from_db()
    assert (offer.filled_positions, offer.status) == (2, OfferStatus.FILLED)
    assert rematches == [offer.pk, offer.pk]


def test_position_filled_on_an_archived_offer_counts_without_error():
    offer = OfferFactory(archived=True)
    services.offer_position_filled(offer=offer)
    offer.refresh_from_db()
    assert (offer.filled_positions, offer.status) == (1, OfferStatus.ARCHIVED)


def test_offers_expire_due_expires_only_published_offers_past_their_date(rematches):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        due = OfferFactory()
        draft = OfferFactory(draft=True)
    with time_machine.travel(NOW - datetime.timedelta(days=59), tick=False):
        not_yet = OfferFactory()
    with time_machine.travel(NOW, tick=False):
        assert services.offers_expire_due() == 1
    assert Offer.objects.get(pk=due.pk).status == OfferStatus.EXPIRED
    assert Offer.objects.get(pk=not_yet.pk).status == OfferStatus.PUBLISHED
    assert Offer.objects.get(pk=draft.pk).status == OfferStatus.DRAFT
    assert rematches == [due.pk]


def test_expiry_reminders_at_7_days_then_1_day_never_twice():
    member = UserFactory(employer=True)
    other_member = UserFactory(employer=True)
    company = CompanyFactory(member=member)
    MembershipFactory(company=company, user=other_member)
    with time_machine.travel(NOW, tick=False):
        offer = OfferFactory(company=company)  # expire le 3 juillet 2026
    expires = offer.expires_at

    with time_machine.travel(expires - datetime.timedelta(days=8), tick=False):
        assert services.offers_send_expiry_reminders() == 0
    with time_machine.travel(expires - datetime.timedelta(days=7), tick=False):
        assert services.offers_send_expiry_reminders() == 2
    with time_machine.travel(expires - datetime.timedelta(days=6), tick=False):
        assert services.offers_send_expiry_reminders() == 0  # déjà prévenus
    with time_machine.travel(expires - datetime.timedelta(days=1), tick=False):
        assert services.offers_send_expiry_reminders() == 2
    with time_machine.travel(expires - datetime.timedelta(hours=2), tick=False):
        assert services.offers_send_expiry_reminders() == 0
    emails = OutboxEmail.objects.filter(to=member.email).order_by("pk")
    assert [email.subject for email in emails] == [
        f"Votre offre expire dans 7 jours : {offer.trade.label}",
        f"Votre offre expire demain : {offer.trade.label}",
    ]
    assert f"/employeur/offres/{offer.pk}" in emails[0].body


def test_an_extended_offer_gets_new_reminders():
    with time_machine.travel(NOW, tick=False):
        offer = OfferFactory()
    with time_machine.travel(offer.expires_at - datetime.timedelta(days=1), tick=False):
        assert services.offers_send_expiry_reminders() == 1
        services.offer_extend(offer=offer)
    offer.refresh_from_db()
    with time_machine.travel(offer.expires_at - datetime.timedelta(days=7), tick=False):
        assert services.offers_send_expiry_reminders() == 1


def test_no_reminder_for_drafts_or_expired_offers():
    OfferFactory(draft=True)
    OfferFactory(expired=True)
    assert services.offers_send_expiry_reminders(now=timezone.now()) == 0


def test_periodic_tasks_are_registered(settings):
    assert settings.PERIODIC_TASKS["offers.tasks.expire_due_offers"] == 3600
    assert settings.PERIODIC_TASKS["offers.tasks.send_expiry_reminders"] == 3600


def test_periodic_tasks_run_the_services():
    from offers import tasks

    with time_machine.travel(NOW - datetime.timedelta(days=61), tick=False):
        offer = OfferFactory()
    with time_machine.travel(NOW, tick=False):
        assert tasks.expire_due_offers.enqueue().return_value == 1
        assert tasks.send_expiry_reminders.enqueue().return_value == 0
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED
