"""Des profils à jour : une relance 7 jours après l'inscription, « tu cherches toujours ? » tous les 2 mois."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from candidates import services
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from notifications.models import OutboxEmail
from tests.candidates.factories import CandidateProfileFactory

pytestmark = pytest.mark.django_db


def joined(profile, days_ago, active_after_days=None):
    joined_at = timezone.now() - datetime.timedelta(days=days_ago)
    last = None if active_after_days is None else joined_at + datetime.timedelta(days=active_after_days)
    User.objects.filter(pk=profile.user_id).update(date_joined=joined_at, last_activity_at=last)


def test_one_reminder_to_candidates_who_did_not_come_back_within_7_days():
    idle = CandidateProfileFactory(incomplete=True)
    joined(idle, 8, active_after_days=0)  # connecté·e le jour même, plus depuis
    back = CandidateProfileFactory()
    joined(back, 8, active_after_days=3)
    recent = CandidateProfileFactory()
    joined(recent, 5)
    assert services.signup_reminders_send() == 1
    assert services.signup_reminders_send() == 0  # une seule fois
    email = OutboxEmail.objects.get(key__startswith="candidates:signup-reminder")
    assert email.to == idle.user.email and "Il reste quelques questions" in email.body


def test_every_two_months_one_click_keeps_the_situation_true(client):
    profile = CandidateProfileFactory()
    CandidateProfile.objects.filter(pk=profile.pk).update(created_at=timezone.now() - datetime.timedelta(days=62))
    fresh = CandidateProfileFactory()
    assert services.status_checks_send() == 1
    assert services.status_checks_send() == 0  # pas avant 2 mois
    email = OutboxEmail.objects.get(key__startswith="candidates:status-check")
    assert email.to == profile.user.email and profile.user.email not in re.findall(r"http\S+", email.body)[0]
    links = dict(re.findall(r"- (.+?) : (http\S+)", email.body))
    assert set(links) == {"Je cherche toujours", "J'ai trouvé", "Je fais une pause"}

    pause = links["Je fais une pause"].split("testserver", 1)[1]
    assert "Confirmer : Je fais une pause" in client.get(pause).text
    assert CandidateProfile.objects.get(pk=profile.pk).status == SearchStatus.SEARCHING  # ouvrir ne change rien
    client.post(pause)
    profile.refresh_from_db()
    assert profile.status == SearchStatus.PAUSED and profile.status_confirmed_at is not None

    client.post(links["J'ai trouvé"].split("testserver", 1)[1])
    profile.refresh_from_db()
    assert profile.status == SearchStatus.FOUND and profile.found_contract_at is not None
    assert fresh.status == SearchStatus.SEARCHING

    CandidateProfile.objects.filter(pk=profile.pk).update(
        status=SearchStatus.PAUSED, status_asked_at=timezone.now() - datetime.timedelta(days=62)
    )
    assert services.status_checks_send() == 1  # en pause : on redemande


def test_answering_updates_matching(django_capture_on_commit_callbacks):
    from matching import rematch
    from matching.models import Match
    from tests.matching.factories import OfferFactory, TradeFactory, commune_at

    trade = TradeFactory(code="boulanger")
    profile = CandidateProfileFactory(trades=[trade], commune=commune_at(1))
    rematch.rematch_candidate(profile.pk)
    rematch.rematch_offer(OfferFactory(trade=trade, commune=commune_at(0)).pk)
    assert Match.objects.active().filter(candidate=profile).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_status_confirm(profile=profile, answer=SearchStatus.PAUSED)
    assert Match.objects.active().filter(candidate=profile).count() == 0


def test_a_broken_status_link_gets_a_clear_page(client):
    response = client.post("/candidat/situation/faux")
    assert response.status_code == 400 and "Lien invalide" in response.text
