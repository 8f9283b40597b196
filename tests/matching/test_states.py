import datetime

import pytest

from candidates.enums import NotificationFrequency
from matching import rematch, selectors, services
from matching.enums import MatchState, NoInterestReason, Side
from matching.models import Match
from matching.services import MatchTransitionError
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory, TradeFactory, commune_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def match():
    trade = TradeFactory(code="boulanger")
    candidate = CandidateProfileFactory(
        trades=[trade], commune=commune_at(3), user__phone="0611223344", user__email="lea@example.org"
    )
    offer = OfferFactory(trade=trade, commune=commune_at(0), company__name="Boulangerie Dupain")
    return MatchFactory(candidate=candidate, offer=offer)


def keys():
    return sorted(OutboxEmail.objects.values_list("key", flat=True))


def test_candidate_then_employer_interested_connects_and_shares_contacts_once(match):
    assert not match.is_connected
    match = services.match_candidate_answer(match=match, interested=True)
    assert match.state == MatchState.CANDIDATE_INTERESTED
    member = match.offer.company.members.get()
    assert keys() == [f"matching:candidate_interested:u{member.pk}:m{match.pk}"]
    # l'employeur ne voit pas encore les coordonnées
    assert "lea@example.org" not in OutboxEmail.objects.get().body
    assert "0611223344" not in OutboxEmail.objects.get().body

    match = services.match_employer_answer(match=match, interested=True)
    assert match.state == MatchState.CONNECTED
    assert match.is_connected
    assert match.connected_at is not None
    to_employer = OutboxEmail.objects.get(key=f"matching:connected_employer:u{member.pk}:m{match.pk}")
    assert "lea@example.org" in to_employer.body and "0611223344" in to_employer.body
    assert to_employer.body.count("/employeur/offres/") == 1
    to_candidate = OutboxEmail.objects.get(key=f"matching:connected_candidate:u{match.candidate.user_id}:m{match.pk}")
    assert member.email in to_candidate.body
    assert "Boulangerie Dupain" in to_candidate.subject
    assert "/candidat/" in to_candidate.body
    assert Match.objects.connected().get() == match
    with pytest.raises(MatchTransitionError, match="déjà en relation"):
        services.match_candidate_answer(match=match, interested=True)
    assert len(keys()) == 3


def test_employer_first_then_candidate(match):
    match = services.match_employer_answer(match=match, interested=True)
    assert match.state == MatchState.EMPLOYER_INTERESTED
    assert keys() == [f"matching:employer_interested:u{match.candidate.user_id}:m{match.pk}"]
    match = services.match_candidate_answer(match=match, interested=True)
    assert match.state == MatchState.CONNECTED


def test_employer_not_interested_stores_who_and_why(match):
    match = services.match_employer_answer(match=match, interested=False, reason=NoInterestReason.TOO_FAR)
    assert (match.state, match.declined_by, match.no_interest_reason) == (
        MatchState.NO_FOLLOW_UP,
        Side.EMPLOYER,
        "trop_loin",
    )
    assert NoInterestReason.TOO_FAR.label == "Trop loin"
    with pytest.raises(MatchTransitionError):
        services.match_candidate_answer(match=match, interested=True)


def test_candidate_not_interested(match):
    match = services.match_candidate_answer(match=match, interested=False)
    assert (match.state, match.declined_by) == (MatchState.NO_FOLLOW_UP, Side.CANDIDATE)
    assert keys() == []


def test_unknown_reason_is_refused(match):
    with pytest.raises(MatchTransitionError, match="motif"):
        services.match_employer_answer(match=match, interested=False, reason="nimporte")


def test_answering_twice_is_refused(match):
    services.match_candidate_answer(match=match, interested=True)
    with pytest.raises(MatchTransitionError, match="déjà répondu"):
        services.match_candidate_answer(match=match, interested=False)


def test_outcomes_only_once_connected(match):
    with pytest.raises(MatchTransitionError, match="une fois en relation"):
        services.match_set_outcome(match=match, state=MatchState.INTERVIEW)
    services.match_candidate_answer(match=match, interested=True)
    services.match_employer_answer(match=match, interested=True)
    match = services.match_set_outcome(match=match, state=MatchState.INTERVIEW)
    assert match.state == MatchState.INTERVIEW
    match = services.match_set_outcome(match=match, state=MatchState.CONTRACT_SIGNED)
    assert match.state == MatchState.CONTRACT_SIGNED
    match.offer.refresh_from_db()
    assert match.offer.filled_positions == 1
    with pytest.raises(MatchTransitionError, match="déjà signé"):
        services.match_set_outcome(match=match, state=MatchState.NO_FOLLOW_UP)
    with pytest.raises(MatchTransitionError):
        services.match_set_outcome(match=match, state=MatchState.PROPOSED)


def test_connected_then_no_follow_up(match):
    services.match_candidate_answer(match=match, interested=True)
    services.match_employer_answer(match=match, interested=True)
    assert services.match_set_outcome(match=match, state=MatchState.NO_FOLLOW_UP).state == MatchState.NO_FOLLOW_UP


def test_no_longer_fitting_pair_cannot_be_accepted(match):
    Match.objects.filter(pk=match.pk).update(is_active=False)
    with pytest.raises(MatchTransitionError, match="ne correspond plus"):
        services.match_candidate_answer(match=match, interested=True)


def test_every_transition_in_the_table_is_reachable_and_nothing_else():
    states = {state for state, _ in services.TRANSITIONS} | set(services.TRANSITIONS.values())
    assert states == set(MatchState)
    assert (MatchState.EXPIRED, "candidate_yes") not in services.TRANSITIONS
    assert (MatchState.CONTRACT_SIGNED, "no_follow_up") not in services.TRANSITIONS


def test_expiry_goes_through_the_transition_table(match, monkeypatch):
    """L'expiration par lots (`matches_remind_and_expire`) suit la table : une paire proposée expire, et sans la
    transition « expire » dans la table, rien n'expire."""
    assert services.TRANSITIONS[(MatchState.PROPOSED, "expire")] == MatchState.EXPIRED
    assert {state for state, event in services.TRANSITIONS if event == "expire"} == {MatchState.PROPOSED}
    later = match.created_at + services.EXPIRE_AFTER + datetime.timedelta(minutes=1)
    without_expiry = {key: target for key, target in services.TRANSITIONS.items() if key[1] != "expire"}
    monkeypatch.setattr(services, "TRANSITIONS", without_expiry)
    assert services.matches_remind_and_expire(now=later)["expired"] == 0
    match.refresh_from_db()
    assert match.state == MatchState.PROPOSED
    monkeypatch.undo()
    assert services.matches_remind_and_expire(now=later)["expired"] == 1
    match.refresh_from_db()
    assert match.state == MatchState.EXPIRED


def test_advisor_proposes_by_hand_and_both_sides_are_alerted():
    trade = TradeFactory(code="boulanger")
    candidate = CandidateProfileFactory(trades=[TradeFactory(code="coiffeur")], commune=commune_at(5))
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    advisor = UserFactory(advisor=True)
    match = services.match_propose_by_hand(candidate=candidate, offer=offer, by_user=advisor)
    assert (match.state, match.proposed_by, match.is_active) == (MatchState.PROPOSED, advisor, True)
    assert selectors.match_reasons(match)[-1] == "proposée par votre conseiller·e"
    assert selectors.match_reasons(match)[0] == "à 5 km"
    member = offer.company.members.get()
    assert keys() == sorted(
        [f"matching:new_offer:u{candidate.user_id}:m{match.pk}", f"matching:new_candidate:u{member.pk}:m{match.pk}"]
    )
    services.match_propose_by_hand(candidate=candidate, offer=offer, by_user=advisor)
    assert Match.objects.count() == 1
    assert len(keys()) == 2


def test_proposing_again_an_answered_pair_is_refused(match):
    services.match_candidate_answer(match=match, interested=False)
    with pytest.raises(MatchTransitionError, match="existe déjà"):
        services.match_propose_by_hand(candidate=match.candidate, offer=match.offer, by_user=UserFactory(advisor=True))


def test_candidate_who_wants_no_email_gets_none_when_employer_is_interested(match):
    match.candidate.notification_frequency = NotificationFrequency.NONE
    match.candidate.save()
    services.match_employer_answer(match=match, interested=True)
    # l'intérêt d'un employeur est une réponse attendue, pas une alerte : on prévient quand même
    assert len(keys()) == 1


def test_a_pair_proposed_by_hand_survives_rematches_until_withdrawn():
    trade = TradeFactory(code="boulanger")
    candidate = CandidateProfileFactory(trades=[TradeFactory(code="coiffeur")], commune=commune_at(5))
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    advisor = UserFactory(advisor=True)
    match = services.match_propose_by_hand(candidate=candidate, offer=offer, by_user=advisor)
    rematch.rematch_candidate(candidate.pk)
    rematch.rematch_offer(offer.pk)
    rematch.rematch_all(notify=False)
    match.refresh_from_db()
    assert (match.is_active, match.proposed_by) == (True, advisor)
    services.match_withdraw_by_hand(match=match)
    match.refresh_from_db()
    assert (match.is_active, match.proposed_by) == (False, advisor)  # on sait toujours qui l'avait proposée
    rematch.rematch_all(notify=False)
    match.refresh_from_db()
    assert not match.is_active


def test_only_a_pair_proposed_by_hand_can_be_withdrawn(match):
    with pytest.raises(MatchTransitionError, match="proposée à la main"):
        services.match_withdraw_by_hand(match=match)
