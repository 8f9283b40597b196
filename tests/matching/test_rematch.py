import logging

import pytest
from django.db import IntegrityError

from candidates.enums import NotificationFrequency, SearchStatus
from matching import indexes, pairs_store, rematch, rule_facts, search, selectors, services, tasks
from matching.models import CandidateTradeIndex, Match
from notifications.models import OutboxEmail
from offers.enums import OfferStatus
from tests.matching import scan
from tests.matching.factories import CandidateProfileFactory, CommuneFactory, OfferFactory, TradeFactory, commune_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade():
    return TradeFactory(code="boulanger", label="Boulanger / Boulangère")


def indexed(offer):
    """Une offre publiée passe par `rematch_offer` (appelé par le service des offres) : elle entre dans l'index."""
    indexes.offer_index_sync(offer=offer)
    return offer


@pytest.fixture
def offer(trade):
    return indexed(OfferFactory(trade=trade, commune=commune_at(0), company__commune=commune_at(0)))


def profile(trade, km=5, **kwargs):
    return CandidateProfileFactory(trades=[trade], commune=commune_at(km), **kwargs)


def test_new_profile_is_matched_with_nearby_offer_with_reasons(trade, offer):
    candidate = profile(trade, km=12.2)
    counts = rematch.rematch_candidate(candidate.pk)
    assert counts["created"] == 1
    match = Match.objects.get()
    assert (match.candidate, match.offer, match.is_active) == (candidate, offer, True)
    assert match.distance_km == 12.2
    assert selectors.match_reasons(match)[:3] == [
        "à 12 km",
        "même métier : Boulanger / Boulangère",
        "niveau CAP accepté",
    ]


def test_new_offer_finds_its_candidates_through_the_index(trade, offer):
    near, far, other_trade = (
        profile(trade, km=29.9),
        profile(trade, km=30.1),
        profile(TradeFactory(code="coiffeur"), km=1),
    )
    for candidate in (near, far, other_trade):
        rematch.rematch_candidate(candidate.pk)
    Match.objects.all().delete()
    assert CandidateTradeIndex.objects.count() == 3
    rematch.rematch_offer(offer.pk)
    assert list(Match.objects.values_list("candidate_id", flat=True)) == [near.pk]


def test_index_and_full_scan_agree(trade):
    offers = [indexed(OfferFactory(trade=trade, commune=commune_at(km))) for km in (0, 20, 60, 95)]
    for km in (0, 9, 19, 45, 70, 99):
        for radius in (10, 30, 100):
            rematch.rematch_candidate(profile(trade, km=km, radius_km=radius).pk)
    for offer in offers:
        facts = rule_facts.offer_facts(offer)
        assert search.offer_candidate_pool(facts).keys() == scan.offer_candidate_pool_by_scan(facts).keys()


def test_rematch_updates_deactivates_and_is_idempotent(trade, offer):
    candidate = profile(trade, km=10)
    rematch.rematch_candidate(candidate.pk)
    assert rematch.rematch_candidate(candidate.pk) == {"created": 0, "updated": 0, "deactivated": 0}
    assert rematch.rematch_offer(offer.pk) == {"created": 0, "updated": 0, "deactivated": 0}

    candidate.commune = commune_at(20)
    candidate.save()
    assert rematch.rematch_candidate(candidate.pk)["updated"] == 1
    assert Match.objects.get().distance_km == 20

    offer.status = OfferStatus.FILLED
    offer.save()
    assert rematch.rematch_offer(offer.pk)["deactivated"] == 1
    match = Match.objects.get()
    assert match.is_active is False

    offer.status = OfferStatus.PUBLISHED
    offer.save()
    assert rematch.rematch_offer(offer.pk)["updated"] == 1
    assert Match.objects.get(pk=match.pk).is_active is True
    assert Match.objects.count() == 1


def test_paused_or_incomplete_profile_leaves_the_index_and_its_pairs(trade, offer):
    candidate = profile(trade)
    rematch.rematch_candidate(candidate.pk)
    candidate.status = SearchStatus.PAUSED
    candidate.save()
    rematch.rematch_candidate(candidate.pk)
    assert not CandidateTradeIndex.objects.exists()
    assert Match.objects.get().is_active is False
    incomplete = CandidateProfileFactory(incomplete=True)
    assert rematch.rematch_candidate(incomplete.pk)["created"] == 0


def test_unique_pair_even_when_created_twice(trade, offer):
    candidate = profile(trade)
    rematch.rematch_candidate(candidate.pk)
    rematch.rematch_offer(offer.pk)
    assert Match.objects.count() == 1
    with pytest.raises(IntegrityError):
        Match.objects.create(candidate=candidate, offer=offer, distance_km=1)


def test_commune_without_coordinates_makes_no_pair_and_logs_no_personal_data(trade, caplog):
    offer = OfferFactory(trade=trade, commune=CommuneFactory(unlocated=True, name="Village perdu"))
    candidate = profile(trade, user__first_name="Léa", user__last_name="Martin")
    with caplog.at_level(logging.WARNING, logger="matching.indexes"):
        rematch.rematch_offer(offer.pk)
        rematch.rematch_candidate(candidate.pk)
    assert not Match.objects.exists()
    assert "sans coordonnées" in caplog.text
    assert "Léa" not in caplog.text and "Martin" not in caplog.text and "Village perdu" not in caplog.text
    assert candidate.user.email not in caplog.text

    unlocated = profile(trade)
    unlocated.commune = CommuneFactory(unlocated=True)
    unlocated.save()
    assert rematch.rematch_candidate(unlocated.pk)["created"] == 0


def test_trade_removed_from_the_catalogue_deactivates_its_pairs(trade, offer):
    candidate = profile(trade)
    rematch.rematch_candidate(candidate.pk)
    trade.is_active = False
    trade.save()
    rematch.rematch_offer(offer.pk)
    rematch.rematch_candidate(candidate.pk)
    assert Match.objects.get().is_active is False


def test_a_pair_with_answers_is_never_deleted(trade, offer):
    candidate = profile(trade)
    rematch.rematch_candidate(candidate.pk)
    services.match_candidate_answer(match=Match.objects.get(), interested=True)
    candidate.radius_km = 10
    candidate.commune = commune_at(50)
    candidate.save()
    rematch.rematch_candidate(candidate.pk)
    match = Match.objects.get()
    assert match.is_active is False
    assert match.state == "interet_candidat"


def test_rematch_all_rebuilds_everything_and_is_idempotent(trade, offer):
    candidates = [profile(trade, km=km) for km in (1, 5, 40)]
    messages = []
    totals = rematch.rematch_all(progress=messages.append, notify=False)
    assert totals["created"] == 2
    assert {m.candidate_id for m in Match.objects.all()} == {candidates[0].pk, candidates[1].pk}
    assert any("index des candidat·es" in message for message in messages)
    assert not OutboxEmail.objects.exists()  # sans alertes
    again = rematch.rematch_all(notify=False)
    assert (again["created"], again["updated"], again["deactivated"]) == (0, 0, 0)


def test_profile_edited_during_a_full_rematch_makes_no_duplicate(trade, offer, monkeypatch):
    candidate = profile(trade)
    original = pairs_store.existing_pairs
    edits = []

    def edit_then_read(where):
        # Pendant le recalcul complet (paires déjà calculées), le profil s'éloigne et une autre tâche le recalcule.
        edits.append(1)
        candidate.commune = commune_at(60)
        candidate.save()
        rematch.rematch_candidate(candidate.pk)
        return original(where)

    monkeypatch.setattr(pairs_store, "existing_pairs", edit_then_read)
    totals = rematch.rematch_all(notify=False)
    monkeypatch.undo()
    assert edits and totals["created"] == 1  # la paire calculée avant la modification…
    match = Match.objects.get(candidate=candidate, offer=offer)  # … une seule fois …
    assert match.is_active is False  # … et recalculée à la fin avec le profil du moment


def test_schedule_rematch_runs_after_commit(trade, offer, django_capture_on_commit_callbacks):
    candidate = profile(trade, notification_frequency=NotificationFrequency.NONE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.schedule_rematch_for_candidate(candidate)
        assert not Match.objects.exists()
    assert len(callbacks) >= 1
    assert Match.objects.count() == 1
    Match.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_rematch_for_offer(offer)
    assert Match.objects.count() == 1


def test_management_command_prints_progress(trade, offer):
    from io import StringIO

    from django.core.management import call_command

    profile(trade)
    out = StringIO()
    call_command("rematch", "--sans-alertes", stdout=out)
    assert "index des candidat·es : 1 lignes" in out.getvalue()
    assert "paires qui correspondent : 1" in out.getvalue()
    assert Match.objects.count() == 1


def test_best_first_orders_by_score(trade):
    candidate = profile(trade, km=0)
    near, far = (indexed(OfferFactory(trade=trade, commune=commune_at(km))) for km in (2, 25))
    rematch.rematch_candidate(candidate.pk)
    assert list(Match.objects.for_candidate(candidate).best_first().values_list("offer_id", flat=True)) == [
        near.pk,
        far.pk,
    ]
