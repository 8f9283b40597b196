import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.fr import siret

from accounts.models import User
from candidates.models import CandidateProfile
from demo import services
from matching.models import Match
from offers.models import Offer
from tests.geo.factories import CommuneFactory
from trades.services import catalogue_import

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def world():
    catalogue_import()
    for index, (lat, population) in enumerate([(50.70, 50_000), (50.75, 5_000), (50.80, 500)]):
        CommuneFactory(code=f"62{index:03d}", lat=lat, lng=2.25, population=population)
    CommuneFactory(code="13001", departement__code="13", departement__region__code="93", population=800_000)


def snapshot():
    return (
        list(User.objects.order_by("email").values_list("email", "first_name", "last_name", "role")),
        list(CandidateProfile.objects.order_by("user__email").values_list("commune", "level", "radius_km")),
        list(Offer.objects.order_by("pk").values_list("trade__code", "commune", "levels", "start_date")),
    )


def test_seed_is_deterministic_for_a_seed(world):
    services.demo_seed(candidates=60, employers=12, seed=7, today=TODAY, log=lambda line: None)
    first = snapshot()
    services.demo_delete()
    services.demo_seed(candidates=60, employers=12, seed=7, today=TODAY, log=lambda line: None)
    assert snapshot()[0] == first[0]
    assert snapshot()[1:] == first[1:]
    services.demo_delete()
    services.demo_seed(candidates=60, employers=12, seed=8, today=TODAY, log=lambda line: None)
    assert snapshot()[1] != first[1]


def test_seed_spreads_people_over_the_region_by_population(world):
    services.demo_seed(candidates=400, employers=20, seed=1, today=TODAY, log=lambda line: None)
    assert CandidateProfile.objects.count() == 400
    assert not CandidateProfile.objects.filter(commune="13001").exists()  # hors de la région demandée
    biggest = CandidateProfile.objects.filter(commune="62000").count()
    smallest = CandidateProfile.objects.filter(commune="62002").count()
    assert biggest > 300 and smallest < 20
    # Le monde a un passé : certain·es ont trouvé leur contrat, les autres cherchent encore.
    assert CandidateProfile.objects.filter(is_complete=True).count() == 400
    assert CandidateProfile.objects.searching().count() > 300
    assert all(siret.is_valid(code) for code in services.Company.objects.values_list("siret", flat=True))


def test_demo_accounts_see_each_other(world):
    services.demo_seed(candidates=50, employers=10, seed=1, today=TODAY, log=lambda line: None)
    candidate = User.objects.get(email=services.DEMO_CANDIDATE_EMAIL).candidate_profile
    employer = User.objects.get(email=services.DEMO_EMPLOYER_EMAIL)
    assert Match.objects.filter(candidate=candidate, offer__company__memberships__user=employer).exists()


def test_command_refuses_to_run_when_debug_is_off(world, settings):
    """Des comptes de démonstration aux adresses connues ne doivent jamais arriver en production."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production") as error:
        call_command("seed_demo", "--candidates", "10", "--employers", "2")
    assert error.value.returncode != 0
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--candidates", "10", "--if-empty")
    assert not User.objects.filter(email__endswith=services.DEMO_DOMAIN).exists()
    assert not CandidateProfile.objects.exists()


def test_command_refuses_to_seed_twice_and_can_reset(world, capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--candidates", "10", "--employers", "2")
    with pytest.raises(Exception, match="--reset"):
        call_command("seed_demo", "--candidates", "10")
    call_command("seed_demo", "--candidates", "10", "--if-empty")
    assert "déjà présentes" in capsys.readouterr().out
    call_command("seed_demo", "--candidates", "20", "--employers", "2", "--reset")
    assert CandidateProfile.objects.count() == 20


def test_command_says_what_to_import_first(capsys, settings):
    settings.DEBUG = True
    with pytest.raises(Exception, match="import_geo"):
        call_command("seed_demo", "--candidates", "10")


def test_demo_advisor_works_the_region(world):
    from backoffice.scope import candidates_for

    services.demo_seed(candidates=30, employers=5, seed=1, today=TODAY, log=lambda line: None)
    advisor = User.objects.get(email=services.DEMO_ADVISOR_EMAIL).advisor_profile
    assert candidates_for(advisor).count() == 30
    assert User.objects.get(email=services.DEMO_ADMIN_EMAIL).role == "administrateur"
    services.demo_delete()
    assert not User.objects.filter(email__endswith=services.DEMO_DOMAIN).exists()


def test_demo_employers_are_approved_members_of_verified_companies(world):
    from employers.enums import MembershipSource, MembershipStatus, VerificationStatus
    from employers.models import Membership

    services.demo_seed(candidates=10, employers=5, seed=1, today=TODAY, log=lambda line: None)
    employer = User.objects.get(email=services.DEMO_EMPLOYER_EMAIL)
    membership = Membership.objects.get(user=employer)
    assert (membership.status, membership.source) == (MembershipStatus.APPROVED, MembershipSource.DEMO)
    assert set(services.Company.objects.values_list("verification_status", flat=True)) == {VerificationStatus.VERIFIED}


def test_demo_world_has_a_past_with_contacts_and_contracts(world):
    """Le monde de démonstration montrait 0 contact et 0 contrat sur /stats : personne n'avait jamais répondu."""
    from django.db.models import Count, F

    from candidates.enums import SearchStatus
    from matching.enums import MatchState
    from offers.enums import OfferStatus
    from stats.selectors import stats_report

    services.demo_seed(candidates=400, employers=40, seed=3, today=TODAY, log=lambda line: None)
    states = set(Match.objects.values_list("state", flat=True))
    assert {MatchState.PROPOSED, MatchState.NO_FOLLOW_UP, MatchState.EXPIRED, MatchState.CONTRACT_SIGNED} <= states
    assert Match.objects.filter(reminded_at__isnull=False).exists()
    totals = stats_report().totals
    assert totals["contacts"].value > 0 and totals["contrats_signes"].value > 0
    statuses = set(Offer.objects.values_list("status", flat=True))
    assert {OfferStatus.PUBLISHED, OfferStatus.EXPIRED} <= statuses
    assert Offer.objects.filter(filled_positions__gt=0).exists()
    # Une histoire possible : dans l'ordre, et jamais plus de contrats que de postes, ni deux pour un·e jeune.
    assert not Match.objects.filter(created_at__lt=F("candidate__created_at")).exists()
    assert not Match.objects.filter(created_at__lt=F("offer__published_at")).exists()
    assert not Match.objects.filter(created_at__gte=F("offer__expires_at")).exists()
    assert not Match.objects.filter(connected_at__lt=F("candidate_answered_at")).exists()
    assert not Match.objects.filter(connected_at__lt=F("employer_answered_at")).exists()
    assert not Match.objects.filter(outcome_at__lt=F("connected_at")).exists()
    signed = Match.objects.filter(state=MatchState.CONTRACT_SIGNED)
    assert not signed.values("candidate").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Offer.objects.filter(filled_positions__gt=F("positions")).exists()
    assert set(signed.values_list("candidate", flat=True)) == set(
        CandidateProfile.objects.filter(status=SearchStatus.FOUND).values_list("pk", flat=True)
    )
    months = set(CandidateProfile.objects.values_list("created_at__year", "created_at__month"))
    assert len(months) >= 10  # une année d'inscriptions


def test_demo_history_is_deterministic_for_a_seed(world):
    def states():
        return sorted(
            Match.objects.values_list("candidate__user__email", "offer__company__siret", "state", "connected_at")
        )

    services.demo_seed(candidates=200, employers=20, seed=5, today=TODAY, log=lambda line: None)
    first = states()
    services.demo_delete()
    services.demo_seed(candidates=200, employers=20, seed=5, today=TODAY, log=lambda line: None)
    assert [row[:3] for row in states()] == [row[:3] for row in first]
