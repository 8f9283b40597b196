"""Les règles, sans base de données."""

import dataclasses
import datetime

import pytest

from matching import rules
from matching.rules import CandidateFacts, OfferFacts

NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def years_before(day, years):
    return day.replace(year=day.year - years)


def candidate(**changes):
    base = CandidateFacts(
        id=1,
        commune_code="62765",
        radius_km=30,
        trade_ids=frozenset({7}),
        level="3",
        contract_types=frozenset({"apprentissage"}),
        available_from=datetime.date(2027, 9, 1),
        birth_date=years_before(TODAY, 19),
    )
    return dataclasses.replace(base, **changes)


def offer(**changes):
    base = OfferFacts(
        id=2,
        commune_code="62193",
        trade_id=7,
        trade_label="Boulanger / Boulangère",
        levels=("3",),
        contract_types=frozenset({"apprentissage"}),
        start_date=datetime.date(2027, 9, 1),
        accepts_minors=True,
        published_at=NOW - datetime.timedelta(days=2),
    )
    return dataclasses.replace(base, **changes)


def score(c, o, distance, now):
    """Le score d'une paire qui correspond, trouvée à `now`."""
    return rules.evaluate(c, o, distance, now).score_at(now)


def failed(c=None, o=None, distance=12.0, today=TODAY):
    return rules.failed_rules(c or candidate(), o or offer(), distance, today)


def test_a_typical_pair_fits_with_reasons_in_french():
    fit = rules.evaluate(candidate(), offer(), 12.4, NOW)
    assert fit is not None
    assert fit.distance_km == 12.4
    assert fit.score_at(NOW) == 82.8  # 40 × (1 - 12,4/30) + 20 + 20 + 20 × (1 - 2/60)
    reasons = rules.reasons(candidate(), offer(), 12.4, TODAY)
    assert reasons[:4] == (
        "à 12 km",
        "même métier : Boulanger / Boulangère",
        "niveau CAP accepté",
        "début en septembre 2027",
    )
    assert reasons[4] == "contrat d'apprentissage"


@pytest.mark.parametrize(("distance", "fits"), [(29.9, True), (30.0, True), (30.1, False), (None, False)])
def test_distance_within_the_radius(distance, fits):
    assert ("is_near" not in failed(distance=distance)) is fits


def test_other_trade_does_not_fit():
    assert failed(o=offer(trade_id=8)) == ["same_trade"]


def test_removed_trade_or_unpublished_offer_or_paused_profile_does_not_fit():
    assert failed(o=offer(trade_active=False)) == ["is_open"]
    assert failed(o=offer(published=False)) == ["is_open"]
    assert failed(c=candidate(searching=False)) == ["is_open"]


@pytest.mark.parametrize(
    ("level", "levels", "fits"),
    [("3", ("3",), True), ("4", ("3",), False), ("4", ("3", "4"), True), ("5", (), True), ("", (), False)],
)
def test_levels(level, levels, fits):
    assert ("level_accepted" not in failed(c=candidate(level=level), o=offer(levels=levels))) is fits


def test_level_reason_when_every_level_is_accepted():
    assert "tous niveaux acceptés" in rules.reasons(candidate(level="4"), offer(levels=()), 3, TODAY)


def test_contract_types_must_overlap():
    assert "contract_overlaps" in failed(o=offer(contract_types=frozenset({"professionnalisation"})))
    both = candidate(contract_types=frozenset({"apprentissage", "professionnalisation"}))
    assert failed(c=both, o=offer(contract_types=frozenset({"professionnalisation"}))) == []


@pytest.mark.parametrize(
    ("start", "fits"),
    [
        (datetime.date(2027, 8, 1), True),  # exactement un mois avant la disponibilité
        (datetime.date(2027, 7, 31), False),  # un jour de plus
        (datetime.date(2028, 1, 1), True),  # plus tard : convient
        (None, True),  # « dès que possible »
    ],
)
def test_start_date_no_earlier_than_a_month_before_availability(start, fits):
    assert ("start_fits" not in failed(o=offer(start_date=start))) is fits


def test_month_before_clamps_to_the_end_of_month():
    assert rules.month_before(datetime.date(2027, 3, 31)) == datetime.date(2027, 2, 28)
    assert rules.month_before(datetime.date(2027, 1, 15)) == datetime.date(2026, 12, 15)


def test_start_reason_as_soon_as_possible():
    assert "début dès que possible" in rules.reasons(candidate(), offer(start_date=None), 1, TODAY)


def test_apprenticeship_age_limits_at_the_start_of_the_contract():
    start = datetime.date(2027, 9, 1)
    assert failed(c=candidate(birth_date=years_before(start, 29))) == []
    thirty = candidate(birth_date=years_before(start, 30))
    assert failed(c=thirty) == ["age_fits"]
    assert failed(c=dataclasses.replace(thirty, age_exception=True)) == []
    assert failed(c=candidate(birth_date=years_before(start, 15))) == []
    too_young = candidate(birth_date=years_before(start, 15) + datetime.timedelta(days=1))
    assert failed(c=too_young) == ["age_fits"]


def test_professionalisation_from_16_to_25_or_job_seeker_past_25():
    """L6325-1 : 16 à 25 ans révolus ; à 26 ans et plus, seulement inscrit·e à France Travail."""
    pro = frozenset({"professionnalisation"})
    start = datetime.date(2027, 9, 1)
    for years, job_seeker, fits in ((16, False, True), (25, False, True), (26, False, False), (40, True, True)):
        c = candidate(contract_types=pro, birth_date=years_before(start, years), job_seeker=job_seeker)
        assert (failed(c=c, o=offer(contract_types=pro)) == []) is fits, years
    last_day_at_25 = candidate(contract_types=pro, birth_date=years_before(start, 26) + datetime.timedelta(days=1))
    assert failed(c=last_day_at_25, o=offer(contract_types=pro)) == []
    young = candidate(contract_types=pro, birth_date=years_before(start, 16) + datetime.timedelta(days=1))
    assert failed(c=young, o=offer(contract_types=pro)) == ["age_fits"]


def test_age_is_taken_on_the_day_the_contract_can_really_start():
    """29 ans aujourd'hui, 30 ans à sa disponibilité : pas d'apprentissage « dès que possible »."""
    today = datetime.date(2026, 12, 1)
    late = candidate(birth_date=datetime.date(1997, 1, 15), available_from=datetime.date(2027, 3, 1))
    asap = offer(start_date=None)
    assert rules.contract_start(late, asap, today) == datetime.date(2027, 3, 1)
    assert rules.failed_rules(late, asap, 12.0, today) == ["age_fits"]
    assert rules.evaluate(late, asap, 12.0, NOW.replace(year=2026, month=12, day=1)) is None
    # 17 ans aujourd'hui, 18 ans à sa disponibilité : une offre qui refuse les mineur·es lui convient.
    seventeen = candidate(birth_date=datetime.date(2009, 2, 1), available_from=datetime.date(2027, 3, 1))
    assert rules.failed_rules(seventeen, offer(start_date=None, accepts_minors=False), 12.0, today) == []
    # Offre dont le début est passé : le contrat commence au plus tôt aujourd'hui.
    started = offer(start_date=datetime.date(2026, 10, 1))
    ready = candidate(available_from=datetime.date(2026, 11, 20))
    assert rules.contract_start(ready, started, today) == today
    assert rules.failed_rules(ready, started, 12.0, today) == []


def test_every_fact_declares_the_model_fields_it_reads():
    assert rules.model_fields(CandidateFacts) >= {"birth_date", "age_exception", "job_seeker", "available_from"}
    assert rules.model_fields(OfferFacts) >= {"start_date", "accepts_minors", "contract_types", "levels"}


def test_minor_only_where_the_offer_accepts_minors():
    start = datetime.date(2027, 9, 1)
    minor = candidate(birth_date=years_before(start, 18) + datetime.timedelta(days=1))
    adult_at_start = candidate(birth_date=years_before(start, 18))
    assert failed(c=minor, o=offer(accepts_minors=False)) == ["minor_accepted"]
    assert failed(c=minor, o=offer(accepts_minors=True)) == []
    # majeur·e le jour du début du contrat (même si mineur·e aujourd'hui)
    assert failed(c=adult_at_start, o=offer(accepts_minors=False)) == []


def test_minor_age_is_taken_today_when_the_offer_starts_as_soon_as_possible():
    minor_today = candidate(birth_date=years_before(TODAY, 17))
    assert "minor_accepted" in failed(c=minor_today, o=offer(start_date=None, accepts_minors=False))


def test_score_orders_distance_level_start_and_freshness():
    near = score(candidate(), offer(), 2, NOW)
    far = score(candidate(), offer(), 25, NOW)
    assert near > far
    exact = score(candidate(), offer(levels=("3",)), 10, NOW)
    any_level = score(candidate(), offer(levels=()), 10, NOW)
    assert exact > any_level
    on_time = score(candidate(), offer(start_date=datetime.date(2027, 9, 1)), 10, NOW)
    late = score(candidate(), offer(start_date=datetime.date(2028, 1, 1)), 10, NOW)
    assert on_time > late
    fresh = score(candidate(), offer(published_at=NOW), 10, NOW)
    old = score(candidate(), offer(published_at=NOW - datetime.timedelta(days=50)), 10, NOW)
    assert fresh > old


def test_distance_text():
    assert rules.distance_text(0.4) == "à moins de 1 km"
    assert rules.distance_text(12.4) == "à 12 km"
    assert rules.distance_text(12.6) == "à 13 km"


def test_facts_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        candidate().radius_km = 100


def test_score_is_fixed_once_the_pair_is_found():
    fit = rules.evaluate(candidate(), offer(published_at=NOW), 10, NOW)
    found = fit.score_at(NOW)
    assert found == score(candidate(), offer(published_at=NOW), 10, NOW)
    later = NOW + datetime.timedelta(days=30)
    assert fit.score_at(later) < found  # trouvée plus tard, l'offre serait moins fraîche…
    assert fit.score_at(NOW) == found  # … mais une paire déjà trouvée garde son score


@pytest.mark.parametrize(
    "day",
    [datetime.date(2027, 9, 1), datetime.date(2028, 2, 29), datetime.date(2027, 12, 31), datetime.date(2028, 3, 1)],
)
@pytest.mark.parametrize("age", [15, 16, 18, 30])
def test_latest_birth_date_is_the_exact_age_boundary(day, age):
    latest = rules.latest_birth_date(day, age)
    assert rules.age_on(latest, day) >= age
    assert rules.age_on(latest + datetime.timedelta(days=1), day) < age


@pytest.mark.parametrize(
    "start",
    [datetime.date(2027, 2, 28), datetime.date(2027, 3, 31), datetime.date(2028, 2, 29), datetime.date(2027, 9, 1)],
)
def test_latest_availability_is_the_exact_start_boundary(start):
    latest = rules.latest_availability(start)
    assert start >= rules.month_before(latest)
    assert start < rules.month_before(latest + datetime.timedelta(days=1))
