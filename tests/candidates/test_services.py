import datetime

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import MagicLink, User
from candidates import services
from candidates.enums import NotificationFrequency, SearchStatus
from candidates.models import CandidateProfile
from matching import rules
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rematches(monkeypatch):
    """Les profils pour lesquels la mise en relation a été relancée."""
    calls = []
    monkeypatch.setattr("matching.tasks.schedule_rematch_for_candidate", calls.append)
    return calls


def test_factory_makes_a_complete_searching_profile_and_an_incomplete_one():
    profile = CandidateProfileFactory()
    assert profile.is_complete and profile.commune and profile.trades.count() == 1
    incomplete = CandidateProfileFactory(incomplete=True)
    assert not incomplete.is_complete and incomplete.commune is None and incomplete.trades.count() == 0
    assert list(CandidateProfile.objects.searching()) == [profile]


def test_searching_excludes_incomplete_paused_and_found_profiles():
    searching = CandidateProfileFactory()
    CandidateProfileFactory(incomplete=True)
    CandidateProfileFactory(status=SearchStatus.PAUSED)
    CandidateProfileFactory(status=SearchStatus.FOUND)
    assert list(CandidateProfile.objects.searching()) == [searching]


def test_candidate_start_creates_an_incomplete_profile_and_makes_the_user_a_candidate(rematches):
    user = UserFactory(role="", first_name="", last_name="")
    profile = services.candidate_start(
        user=user, birth_date=datetime.date(1990, 1, 2), age_exception="rqth", first_name="Léa", last_name="Petit"
    )
    user.refresh_from_db()
    assert (user.role, user.first_name, user.last_name) == (Role.CANDIDATE, "Léa", "Petit")
    assert profile.birth_date == datetime.date(1990, 1, 2)
    assert profile.age_exception == "rqth"
    assert not profile.is_complete
    assert services.candidate_start(user=user, birth_date=datetime.date(1990, 1, 3)).pk == profile.pk
    profile.refresh_from_db()
    assert profile.birth_date == datetime.date(1990, 1, 3)
    assert rematches == []  # profil incomplet : rien à recalculer


def test_candidate_signup_creates_account_profile_and_magic_link_to_step_2(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        user = services.candidate_signup(
            email="Jade@Example.org", first_name="Jade", last_name="Roux", birth_date=datetime.date(2008, 3, 4)
        )
    assert user.email == "jade@example.org"
    assert user.role == Role.CANDIDATE
    assert user.candidate_profile.is_complete is False
    link = MagicLink.objects.get(user=user)
    assert link.next_url == "/candidat/profil/etape-2"
    email = OutboxEmail.objects.get(to="jade@example.org")
    assert "/connexion/lien/" in email.body


def test_candidate_signup_with_a_known_email_only_sends_a_sign_in_link():
    employer = UserFactory(employer=True, email="pro@example.org", first_name="Paul")
    user = services.candidate_signup(
        email="pro@example.org", first_name="X", last_name="Y", birth_date=datetime.date(2008, 3, 4)
    )
    assert user == employer
    employer.refresh_from_db()
    assert (employer.role, employer.first_name) == (Role.EMPLOYER, "Paul")
    assert not CandidateProfile.objects.exists()
    assert MagicLink.objects.get(user=employer).next_url == ""
    assert OutboxEmail.objects.filter(to="pro@example.org").count() == 1
    assert User.objects.count() == 1


def test_candidate_update_completes_profile_and_schedules_rematch_once(rematches):
    profile = CandidateProfileFactory(incomplete=True)
    commune, trade = CommuneFactory(), TradeFactory(code="coiffeur", family="beaute_soins")
    services.candidate_update(profile=profile, commune=commune, radius_km=20, trades=[trade], level="4")
    assert rematches == []  # écran 2 : pas encore complet
    services.candidate_update(
        profile=profile,
        complete=True,
        contract_types=["apprentissage"],
        available_from=datetime.date(2027, 9, 1),
        has_training_place=True,
        training_centre="CFA d'Arras",
        phone="+33612345678",
        presentation="Motivée.",
    )
    profile.refresh_from_db()
    assert profile.is_complete and profile.radius_km == 20 and list(profile.trades.all()) == [trade]
    assert profile.user.phone == "+33612345678"
    assert rematches == [profile]


def test_candidate_update_rematches_only_when_matching_inputs_change(rematches):
    profile = CandidateProfileFactory()
    services.candidate_update(profile=profile, presentation="Nouveau texte", phone="+33612345678")
    services.candidate_update(profile=profile, trades=list(profile.trades.all()), radius_km=profile.radius_km)
    assert rematches == []
    services.candidate_update(profile=profile, radius_km=50)
    assert rematches == [profile]


def test_candidate_update_refuses_unknown_fields():
    with pytest.raises(TypeError):
        services.candidate_update(profile=CandidateProfileFactory(), status="pause")


def test_pause_resume_and_found_contract(rematches):
    profile = CandidateProfileFactory()
    services.candidate_pause(profile=profile)
    assert profile.status == SearchStatus.PAUSED
    services.candidate_pause(profile=profile)  # déjà en pause : rien ne change
    services.candidate_resume(profile=profile)
    assert profile.status == SearchStatus.SEARCHING
    services.candidate_found_contract(profile=profile, found_through_service=True)
    profile.refresh_from_db()
    assert profile.status == SearchStatus.FOUND
    assert profile.found_through_service is True
    assert profile.found_contract_at <= timezone.now()
    assert rematches == [profile, profile, profile]
    assert not CandidateProfile.objects.searching().exists()


def test_candidate_set_notifications():
    profile = CandidateProfileFactory()
    services.candidate_set_notifications(profile=profile, frequency="quotidien")
    profile.refresh_from_db()
    assert profile.notification_frequency == NotificationFrequency.DAILY
    with pytest.raises(ValueError):
        services.candidate_set_notifications(profile=profile, frequency="jamais")


def _changed_value(profile, name):
    """Une autre valeur valide pour le champ `name` du profil."""
    from core.enums import ContractType, DiplomaLevel

    current = getattr(profile, name)
    others = {
        "birth_date": lambda: current - datetime.timedelta(days=1),
        "available_from": lambda: current + datetime.timedelta(days=1),
        "age_exception": lambda: "rqth",
        "job_seeker": lambda: not current,
        "commune": lambda: CommuneFactory(),
        "radius_km": lambda: 50 if current != 50 else 30,
        "level": lambda: DiplomaLevel.LEVEL_4 if current != DiplomaLevel.LEVEL_4 else DiplomaLevel.LEVEL_3,
        "contract_types": lambda: [ContractType.PROFESSIONNALISATION.value],
        "trades": lambda: [TradeFactory(code="coiffeur")],
    }
    return others[name]()


@pytest.mark.parametrize("name", sorted(rules.model_fields(rules.CandidateFacts)))
def test_changing_any_field_the_rules_read_rematches_the_profile(name, rematches):
    """Chaque champ lu par les règles (déclaré par les faits) relance la mise en relation par le service."""
    profile = CandidateProfileFactory()
    if name == "status":
        services.candidate_pause(profile=profile)
    elif name == "is_complete":
        profile = CandidateProfileFactory(incomplete=True)
        services.candidate_update(
            profile=profile,
            complete=True,
            commune=CommuneFactory(),
            level="3",
            contract_types=["apprentissage"],
            available_from=timezone.localdate(),
        )
    else:
        services.candidate_update(profile=profile, **{name: _changed_value(profile, name)})
    assert rematches == [profile]
