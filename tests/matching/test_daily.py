"""Ce que le temps change : l'âge au début du contrat, la tâche quotidienne."""

import datetime
import random

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from candidates.models import CandidateProfile
from matching import indexes, rematch
from matching.models import DailyRematch, Match
from notifications.models import OutboxEmail
from offers.models import Offer
from tests.matching.factories import CandidateProfileFactory, OfferFactory, TradeFactory, commune_at
from tests.matching.test_equivalence import _truth, build_world

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC), tick=False)


def _offer(trade, **kwargs):
    offer = OfferFactory(trade=trade, commune=commune_at(0), company__commune=commune_at(0), **kwargs)
    indexes.offer_index_sync(offer=offer)
    return offer


def _active_pairs():
    return set(Match.objects.filter(is_active=True).values_list("candidate_id", "offer_id"))


def test_a_candidate_who_turns_30_before_their_possible_start_has_no_apprenticeship_pair():
    with at(datetime.date(2026, 12, 1)):
        trade = TradeFactory()
        _offer(trade, start_date=None)
        late = CandidateProfileFactory(
            trades=[trade],
            commune=commune_at(3),
            birth_date=datetime.date(1997, 1, 15),
            available_from=datetime.date(2027, 3, 1),
        )
        rematch.rematch_candidate(late.pk)
        assert not Match.objects.exists()


def test_a_minor_turning_18_gets_the_offers_refusing_minors_the_next_day():
    with at(datetime.date(2026, 12, 1)):
        trade = TradeFactory()
        offer = _offer(trade, start_date=None, accepts_minors=False)
        minor = CandidateProfileFactory(
            trades=[trade],
            commune=commune_at(3),
            birth_date=datetime.date(2008, 12, 2),
            available_from=datetime.date(2026, 11, 1),
        )
        rematch.rematch_all(notify=False)
        assert not Match.objects.exists()
    with at(datetime.date(2026, 12, 2)):
        counts = rematch.rematch_daily()
    assert counts["profiles"] == 1 and counts["created"] == 1
    assert _active_pairs() == {(minor.pk, offer.pk)}
    assert OutboxEmail.objects.filter(to=minor.user.email).exists()  # alerte comme d'habitude


def test_turning_30_ends_the_apprenticeship_pair_on_the_birthday():
    with at(datetime.date(2026, 12, 1)):
        trade = TradeFactory()
        _offer(trade, start_date=None)
        candidate = CandidateProfileFactory(
            trades=[trade],
            commune=commune_at(3),
            birth_date=datetime.date(1996, 12, 3),
            available_from=datetime.date(2026, 11, 1),
        )
        rematch.rematch_candidate(candidate.pk)
        assert len(_active_pairs()) == 1
        rematch.rematch_daily()
    with at(datetime.date(2026, 12, 2)):
        assert rematch.rematch_daily()["profiles"] == 0  # rien ne change ce jour-là : personne n'est recalculé
        assert len(_active_pairs()) == 1
    with at(datetime.date(2026, 12, 3)):
        assert rematch.rematch_daily()["deactivated"] == 1
    assert _active_pairs() == set()


def test_an_offer_already_started_fits_once_the_availability_is_a_month_away():
    with at(datetime.date(2026, 12, 1)):
        trade = TradeFactory()
        offer = _offer(trade, start_date=datetime.date(2026, 11, 2))
        candidate = CandidateProfileFactory(
            trades=[trade], commune=commune_at(3), available_from=datetime.date(2027, 1, 10)
        )
        rematch.rematch_all(notify=False)
        assert not Match.objects.exists()
    with at(datetime.date(2026, 12, 10)):  # jours manqués : la tâche reprend au dernier jour fait
        counts = rematch.rematch_daily()
    assert counts["profiles"] == 1
    assert _active_pairs() == {(candidate.pk, offer.pk)}
    assert DailyRematch.objects.filter(day=datetime.date(2026, 12, 10)).exists()


def test_the_daily_job_runs_once_a_day():
    with at(datetime.date(2026, 12, 1)):
        rematch.rematch_daily()
        assert rematch.rematch_daily()["profiles"] == 0
    assert settings.PERIODIC_TASKS["matching.tasks.rematch_daily"] <= 3600


@pytest.mark.parametrize("days", [60, 1])
def test_after_moving_the_clock_forward_the_daily_job_gives_the_pairs_of_the_rules(days):
    start = datetime.date(2026, 12, 1)
    with at(start):
        build_world(random.Random(20261201), start)
        rematch.rematch_all(notify=False)
        before = _active_pairs()
    later = start + datetime.timedelta(days=days)
    with at(later):
        counts = rematch.rematch_daily(notify=False)
        truth = _truth(timezone.now())
        stored = {(m.candidate_id, m.offer_id): m for m in Match.objects.filter(is_active=True)}
    assert stored.keys() == truth.keys()
    for key, match in stored.items():
        assert match.distance_km == truth[key].distance_km
    assert stored.keys() != before  # le temps a bien changé des paires
    assert 0 < counts["profiles"] < CandidateProfile.objects.count()  # pas tout le monde
    assert Offer.objects.published().exists()


def test_the_profiles_of_the_day_are_found_through_the_indexes():
    from django.db import connection

    from matching.models import CandidateTradeIndex

    day = datetime.date(2026, 12, 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # tables vides : sans cela, le planificateur lirait la table
            cursor.execute("SET LOCAL enable_seqscan = off")
        for condition in rematch.due_conditions(since=day - datetime.timedelta(days=1), day=day):
            plan = CandidateTradeIndex.objects.filter(condition).values_list("candidate_id").explain()
            column = "birth" if "birth_date" in str(condition) else "available"
            assert f"candidate_index_{column}" in plan, plan
