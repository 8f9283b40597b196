import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from candidates.enums import NotificationFrequency
from matching import alerts, indexes, rematch, services
from matching.enums import MatchState
from matching.models import Match
from notifications.models import OutboxEmail
from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory, TradeFactory, commune_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade():
    return TradeFactory(code="boulanger")


@pytest.fixture
def offer(trade):
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    indexes.offer_index_sync(offer=offer)
    return offer


def keys(prefix="matching:"):
    return sorted(OutboxEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def test_immediate_alerts_once_per_person_pair_and_event(trade, offer, django_capture_on_commit_callbacks):
    # Un nom qui ne peut pas figurer par ailleurs dans l'e-mail (métier, commune).
    candidate = CandidateProfileFactory(trades=[trade], commune=commune_at(4), user__last_name="Zwirnerova")
    member = offer.company.members.get()
    with django_capture_on_commit_callbacks(execute=True):
        rematch.rematch_candidate(candidate.pk)
        rematch.rematch_candidate(candidate.pk)
        rematch.rematch_offer(offer.pk)
    match = Match.objects.get()
    assert keys() == sorted(
        [f"matching:new_candidate:u{member.pk}:m{match.pk}", f"matching:new_offer:u{candidate.user_id}:m{match.pk}"]
    )
    assert len(mail.outbox) == 2
    to_candidate = next(m for m in mail.outbox if m.to == [candidate.user.email])
    assert to_candidate.subject.startswith("Une offre pour vous : Boulanger / Boulangère")
    assert "http://testserver/candidat/" in to_candidate.body
    assert "à 4 km" in to_candidate.body
    # 18 ans au début du contrat : 43 % du SMIC du 1er janvier 2026 (1 823,03 €).
    assert "Salaire minimum en apprentissage la 1re année : 783,90 € brut par mois" in to_candidate.body
    assert "2025-1228" in to_candidate.body
    to_employer = next(m for m in mail.outbox if m.to == [member.email])
    assert f"http://testserver/employeur/offres/{offer.pk}" in to_employer.body
    assert "783,90 € brut par mois" in to_employer.body
    assert candidate.user.email not in to_employer.body
    assert candidate.user.last_name not in to_employer.body
    # une paire qui ne correspond plus puis à nouveau : pas de nouvelle alerte
    Match.objects.update(is_active=False)
    rematch.rematch_candidate(candidate.pk)
    assert OutboxEmail.objects.count() == 2


def test_candidate_who_wants_no_email(trade, offer):
    candidate = CandidateProfileFactory(
        trades=[trade], commune=commune_at(1), notification_frequency=NotificationFrequency.NONE
    )
    rematch.rematch_candidate(candidate.pk)
    assert keys("matching:new_offer") == []
    assert len(keys("matching:new_candidate")) == 1  # l'employeur, lui, est prévenu
    assert alerts.send_daily_digests() == 0


def test_daily_digest_groups_new_offers_in_one_email_per_day(trade, offer):
    candidate = CandidateProfileFactory(
        trades=[trade], commune=commune_at(1), notification_frequency=NotificationFrequency.DAILY
    )
    second = OfferFactory(trade=trade, commune=commune_at(2))
    indexes.offer_index_sync(offer=second)
    rematch.rematch_candidate(candidate.pk)
    assert keys("matching:new_offer") == []
    assert alerts.send_daily_digests() == 1
    day = timezone.localdate().isoformat()
    digest = OutboxEmail.objects.get(key=f"matching:digest:u{candidate.user_id}:{day}")
    assert digest.subject == "2 nouvelles offres pour vous"
    assert digest.body.count("Boulanger / Boulangère chez") == 2
    assert alerts.send_daily_digests() == 0  # déjà résumées


def test_no_alert_when_rematch_all_runs_without_alerts(trade, offer):
    CandidateProfileFactory(trades=[trade], commune=commune_at(1))
    rematch.rematch_all(notify=False)
    assert Match.objects.count() == 1
    assert keys() == []
    rematch.rematch_all()
    assert keys() == []  # paires déjà connues : pas d'alerte a posteriori


def test_rematch_all_with_alerts_announces_each_new_pair_once(trade, offer):
    candidates = [CandidateProfileFactory(trades=[trade], commune=commune_at(km)) for km in (1, 2)]
    rematch.rematch_all()
    assert sorted(key.split(":")[1] for key in keys()) == ["new_candidate"] * 2 + ["new_offer"] * 2
    assert all(m.candidate_alerted and m.employer_alerted for m in Match.objects.all())
    rematch.rematch_all()
    assert len(keys()) == 4 and Match.objects.count() == len(candidates)


def test_reminders_after_7_days_and_expiry_after_21_days(trade):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        silent = MatchFactory(candidate__trades=[trade], offer__trade=trade)
        half = MatchFactory(candidate__trades=[trade], offer__trade=trade)
        services.match_candidate_answer(match=half, interested=True)
        before = OutboxEmail.objects.count()
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        assert services.matches_remind_and_expire() == {"reminded": 0, "expired": 0}
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1), tick=False):
        assert services.matches_remind_and_expire() == {"reminded": 2, "expired": 0}
        assert services.matches_remind_and_expire() == {"reminded": 0, "expired": 0}
    new = set(OutboxEmail.objects.order_by("pk").values_list("key", flat=True)[before:])
    silent_member = silent.offer.company.members.get()
    half_member = half.offer.company.members.get()
    assert new == {
        f"matching:reminder_candidate:u{silent.candidate.user_id}:m{silent.pk}",
        f"matching:reminder_employer:u{silent_member.pk}:m{silent.pk}",
        f"matching:reminder_employer:u{half_member.pk}:m{half.pk}",
    }
    with time_machine.travel(start + datetime.timedelta(days=21, minutes=1), tick=False):
        assert services.matches_remind_and_expire()["expired"] == 1
    silent.refresh_from_db()
    half.refresh_from_db()
    assert silent.state == MatchState.EXPIRED
    assert half.state == MatchState.CANDIDATE_INTERESTED


def test_periodic_tasks_are_registered(settings):
    assert settings.PERIODIC_TASKS["matching.tasks.remind_and_expire"] == 3600
    assert settings.PERIODIC_TASKS["matching.tasks.daily_digests"] == 86400
