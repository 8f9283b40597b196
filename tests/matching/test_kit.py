"""« Et maintenant ? » : le kit calculé pour une paire, les étapes cochées, la relance d'une paire en panne."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import alerts, kit, selectors, services
from matching.enums import KitStep, MatchState, Side
from matching.models import Match, MatchStep
from matching.services import MatchTransitionError
from notifications.models import OutboxEmail
from offers import legal
from tests.accounts.factories import UserFactory
from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory, TradeFactory, commune_at

START = datetime.date(2026, 12, 1)


def minor_kit(**kwargs):
    arguments = {
        "birth_date": datetime.date(2010, 3, 15),  # 16 ans au début, 17 ans en mars 2027, 18 ans en mars 2028
        "start": START,
        "departement": "62",
        "level": "3",
        "under_250": True,
        "night_or_early_work": True,
        "trade_code": "boulanger",
        "today": START,
    }
    return kit.build_kit(**{**arguments, **kwargs})


def test_pay_follows_the_age_in_each_contract_year_from_the_dated_table():
    the_kit = minor_kit()
    periods = [(p.contract_year, p.since, p.age, p.percent) for p in the_kit.pay]
    # 18 ans le 15 mars 2028, en 2e année : la tranche change le 1er avril 2028 (D6222-34).
    assert periods == [
        (1, START, 16, legal.minimum_pay_percent(age=16, contract_year=1)),
        (2, datetime.date(2027, 12, 1), 17, legal.minimum_pay_percent(age=17, contract_year=2)),
        (2, datetime.date(2028, 4, 1), 18, legal.minimum_pay_percent(age=18, contract_year=2)),
        (3, datetime.date(2028, 12, 1), 18, legal.minimum_pay_percent(age=18, contract_year=3)),
    ]
    smic = legal.smic_on(START).value.monthly
    first = the_kit.pay[0]
    assert first.amount == (smic * first.percent / 100).quantize(Decimal("0.01"))
    assert the_kit.pay_source.startswith(legal.fact_on("pay_percents", START).source)


def test_mayotte_pay_uses_its_own_smic():
    the_kit = minor_kit(departement=legal.MAYOTTE)
    assert the_kit.pay[0].amount == legal.minimum_monthly_pay(
        age=16, contract_year=1, day=START, departement=legal.MAYOTTE
    )


def test_a_minor_gets_the_guardian_medical_and_hours_steps():
    the_kit = minor_kit()
    assert the_kit.is_minor
    codes = [step.code for step in the_kit.steps]
    assert codes == [
        KitStep.CFA,
        KitStep.CONTRACT_FORM,
        KitStep.GUARDIAN,
        KitStep.MEDICAL,
        KitStep.HOURS,
        KitStep.HIRING_AID,
    ]
    assert [step.code for step in the_kit.steps_for(Side.CANDIDATE)] == [KitStep.CFA, KitStep.GUARDIAN]
    hours = next(step for step in the_kit.steps if step.code == KitStep.HOURS)
    assert list(the_kit.minor_rules) == legal.minor_rules(night_or_early_work=True, trade_code="boulanger")
    assert hours.details[: len(the_kit.minor_rules)] == the_kit.minor_rules


def test_an_adult_has_no_minor_steps_and_the_aid_follows_level_and_size():
    the_kit = minor_kit(birth_date=datetime.date(2000, 1, 1), level="5", under_250=False)
    assert not the_kit.is_minor
    assert KitStep.GUARDIAN not in [step.code for step in the_kit.steps]
    assert the_kit.minor_rules == ()
    assert the_kit.hiring_aid == legal.hiring_aid_amount(
        level="5", under_250=False, concluded_on=START, starts_on=START
    )


def test_no_aid_step_when_the_table_has_no_aid_for_this_start():
    fact = legal.hiring_aid_on(START)
    the_kit = minor_kit(start=fact.value.starts_before)
    assert the_kit.hiring_aid is None
    assert KitStep.HIRING_AID not in [step.code for step in the_kit.steps]


# --- En base -------------------------------------------------------------------------------------------


@pytest.fixture
def minor_match(db):
    trade = TradeFactory(code="boulanger")
    today = timezone.localdate()
    candidate = CandidateProfileFactory(
        trades=[trade],
        commune=commune_at(3),
        birth_date=today.replace(year=today.year - 16, day=1),
        user__email="lina@example.org",
        user__phone="0611223344",
    )
    offer = OfferFactory(trade=trade, commune=commune_at(0), company__name="Boulangerie Dupain")
    match = MatchFactory(candidate=candidate, offer=offer)
    services.match_candidate_answer(match=match, interested=True)
    return services.match_employer_answer(match=match, interested=True)


@pytest.mark.django_db
def test_the_connected_emails_carry_the_kit_for_each_side(minor_match):
    member = minor_match.offer.company.members.get()
    candidate_mail = OutboxEmail.objects.get(key__startswith="matching:connected_candidate")
    employer_mail = OutboxEmail.objects.get(key=f"matching:connected_employer:u{member.pk}:m{minor_match.pk}")
    the_kit = selectors.match_kit(minor_match)
    assert f"/mises-en-relation/{minor_match.pk}/et-maintenant" in candidate_mail.body
    assert KitStep.GUARDIAN.label in candidate_mail.body
    assert KitStep.MEDICAL.label not in candidate_mail.body
    assert KitStep.MEDICAL.label in employer_mail.body
    assert f"{the_kit.pay[0].amount} €".replace(".", ",") in candidate_mail.body
    assert f"{the_kit.hiring_aid} €" in employer_mail.body
    assert f"{the_kit.hiring_aid} €" not in candidate_mail.body


@pytest.mark.django_db
def test_each_side_ticks_only_its_own_steps(minor_match):
    user = minor_match.candidate.user
    services.match_step_set(match=minor_match, step=KitStep.GUARDIAN, side=Side.CANDIDATE, by_user=user)
    with pytest.raises(MatchTransitionError, match="l'autre côté"):
        services.match_step_set(match=minor_match, step=KitStep.MEDICAL, side=Side.CANDIDATE, by_user=user)
    with pytest.raises(MatchTransitionError, match="n'existe pas"):
        services.match_step_set(match=minor_match, step="inconnue", side=Side.CANDIDATE, by_user=user)
    assert list(MatchStep.objects.values_list("step", flat=True)) == [KitStep.GUARDIAN]
    assert Match.objects.get().progress_at is not None
    services.match_step_set(match=minor_match, step=KitStep.GUARDIAN, side=Side.CANDIDATE, by_user=user, done=False)
    assert not MatchStep.objects.exists()


@pytest.mark.django_db
def test_an_adult_pair_has_no_guardian_step_to_tick(minor_match):
    CandidateProfileFactory._meta.model.objects.filter(pk=minor_match.candidate_id).update(
        birth_date=datetime.date(1999, 1, 1)
    )
    minor_match.refresh_from_db()
    with pytest.raises(MatchTransitionError, match="ne concerne pas"):
        services.match_step_set(
            match=minor_match, step=KitStep.GUARDIAN, side=Side.CANDIDATE, by_user=minor_match.candidate.user
        )


@pytest.mark.django_db
def test_a_pair_stalled_for_ten_days_is_nudged_once_then_again_after_new_progress(minor_match):
    now = timezone.now()
    assert alerts.matches_nudge_stalled(now=now + datetime.timedelta(days=9)) == 0
    later = now + datetime.timedelta(days=10, minutes=1)
    assert alerts.matches_nudge_stalled(now=later) == 1
    nudges = OutboxEmail.objects.filter(key__startswith="matching:kit_nudge")
    assert nudges.count() == 2  # le ou la jeune et le membre de l'établissement
    assert alerts.matches_nudge_stalled(now=later + datetime.timedelta(days=5)) == 0
    # Une étape cochée rouvre le délai.
    Match.objects.filter(pk=minor_match.pk).update(progress_at=later + datetime.timedelta(days=1))
    assert alerts.matches_nudge_stalled(now=later + datetime.timedelta(days=12)) == 1
    assert nudges.count() == 4
    services.match_set_outcome(match=minor_match, state=MatchState.CONTRACT_SIGNED)
    assert alerts.matches_nudge_stalled(now=later + datetime.timedelta(days=40)) == 0


# --- Pages ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_two_sides_see_the_kit(client, minor_match):
    url = reverse("matching:kit", args=[minor_match.pk])
    client.force_login(UserFactory(employer=True))
    assert client.get(url).status_code == 404
    client.force_login(minor_match.candidate.user)
    response = client.get(url)
    assert response.status_code == 200
    assert "De ton côté" in response.text
    assert KitStep.GUARDIAN.label in response.text
    client.force_login(minor_match.offer.company.members.get())
    response = client.get(url)
    assert "De votre côté" in response.text and "Aide à l'embauche" in response.text


@pytest.mark.django_db
def test_a_pair_not_yet_connected_has_no_kit(client):
    match = MatchFactory()
    client.force_login(match.candidate.user)
    assert client.get(reverse("matching:kit", args=[match.pk])).status_code == 404


@pytest.mark.django_db
def test_a_wrong_step_gets_a_clear_message_and_changes_nothing(client, minor_match):
    client.force_login(minor_match.candidate.user)
    url = reverse("matching:kit_step", args=[minor_match.pk])
    response = client.post(url, {"step": KitStep.MEDICAL, "done": "oui"}, follow=True)
    assert "Cette étape revient à l&#x27;autre côté." in response.text
    response = client.post(url, {"step": "rien", "done": "oui"}, follow=True)
    assert "Choisissez une étape de la liste." in response.text
    assert not MatchStep.objects.exists()
