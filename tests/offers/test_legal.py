import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import checks

from offers import legal


@pytest.mark.parametrize(
    ("age", "year", "percent"),
    [
        (15, 1, 27),
        (17, 1, 27),
        (17, 2, 39),
        (17, 3, 55),
        (18, 1, 43),
        (20, 2, 51),
        (20, 3, 67),
        (21, 1, 53),
        (25, 2, 61),
        (25, 3, 78),
        (26, 1, 100),
        (29, 3, 100),
        (17, 4, 55),  # au-delà de la 3e année : le taux de 3e année
    ],
)
def test_minimum_pay_percent_at_every_boundary(age, year, percent):
    assert legal.minimum_pay_percent(age=age, contract_year=year) == percent


def test_minimum_pay_percent_rejects_year_zero():
    with pytest.raises(ValueError):
        legal.minimum_pay_percent(age=18, contract_year=0)


def test_minimum_monthly_pay_is_a_share_of_the_smic_in_force_on_the_start_day():
    day = datetime.date(2026, 9, 1)
    assert legal.smic_on(day).value == legal.Smic(Decimal("12.02"), Decimal("1823.03"))
    assert "2025-1228" in legal.smic_on(day).source
    assert legal.minimum_monthly_pay(age=17, contract_year=1, day=day) == Decimal("492.22")  # 27 % de 1 823,03
    assert legal.minimum_monthly_pay(age=26, contract_year=1, day=day) == Decimal("1823.03")
    # Un contrat commencé en 2025 : le SMIC d'alors.
    assert legal.minimum_monthly_pay(age=26, contract_year=1, day=datetime.date(2025, 12, 31)) == Decimal("1801.80")


def test_mayotte_has_its_own_smic():
    day = datetime.date(2026, 9, 1)
    assert legal.smic_on(day, legal.MAYOTTE).value == legal.Smic(Decimal("9.33"), Decimal("1415.05"))
    assert legal.minimum_pay_table(day=day, departement="976")[3].amounts[0] == Decimal("1415.05")
    assert legal.smic_on(day, "62").value.monthly == Decimal("1823.03")
    # 2025 : le SMIC de Mayotte fixé au 1er novembre 2024 (décret n° 2024-951), pas celui de métropole.
    before = legal.smic_on(datetime.date(2025, 6, 1), legal.MAYOTTE)
    assert before.value == legal.Smic(Decimal("8.98"), Decimal("1361.97")) and "2024-951" in before.source
    assert legal.minimum_pay_table(day=datetime.date(2025, 6, 1), departement="976")[3].amounts[0] == Decimal("1361.97")
    # Avant la première entrée propre à Mayotte : inconnu, plutôt que le SMIC de métropole.
    assert legal.smic_on(datetime.date(2024, 10, 31), legal.MAYOTTE) is None
    assert legal.minimum_pay_table(day=datetime.date(2024, 10, 31), departement="976") == []


def test_every_legal_fact_is_dated_and_sourced():
    for fact in legal.FACTS:
        assert fact.since and fact.source, fact


def test_pay_table_has_four_age_bands_and_three_years():
    table = legal.minimum_pay_table(day=datetime.date(2026, 9, 1))
    assert [row.label for row in table] == ["Moins de 18 ans", "18 à 20 ans", "21 à 25 ans", "26 ans et plus"]
    assert table[1].cells[2] == (67, Decimal("1221.43"))


def test_system_check_warns_when_the_newest_smic_is_more_than_13_months_old():
    from offers.checks import smic_is_current

    newest = legal.newest_smic().since
    with time_machine.travel(
        datetime.datetime.combine(legal.months_before(newest, -13), datetime.time(12)), tick=False
    ):
        assert smic_is_current() == []
    later = legal.months_before(newest, -13) + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(12)), tick=False):
        warnings = smic_is_current()
    assert [warning.id for warning in warnings] == ["offers.W001"]
    assert warnings[0].level == checks.WARNING


ON = datetime.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("level", "under_250", "amount"),
    [("3", True, 5000), ("4", True, 5000), ("5", True, 4500), ("6", True, 2000), ("7", True, 2000)]
    + [("3", False, 2000), ("4", False, 2000), ("5", False, 1500), ("6", False, 750), ("7", False, 750)],
)
def test_hiring_aid_by_level_and_size(level, under_250, amount):
    assert legal.hiring_aid_amount(level=level, under_250=under_250, concluded_on=ON, starts_on=ON) == amount


@pytest.mark.parametrize(
    ("concluded_on", "starts_on", "expected"),
    [
        (datetime.date(2026, 3, 7), datetime.date(2026, 9, 1), None),  # conclu la veille du 8 mars
        (datetime.date(2026, 3, 8), datetime.date(2026, 9, 1), 5000),  # conclu le 8 mars
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), 5000),  # commencé le 31 décembre
        (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1), None),  # commencé le 1er janvier 2027
    ],
)
def test_hiring_aid_dates(concluded_on, starts_on, expected):
    amount = legal.hiring_aid_amount(level="3", under_250=True, concluded_on=concluded_on, starts_on=starts_on)
    assert amount == expected


def test_hiring_aid_for_disabled_apprentice_is_the_ceiling():
    assert legal.hiring_aid_amount(level="7", under_250=False, concluded_on=ON, starts_on=ON, disabled=True) == 6000
    assert (
        legal.hiring_aid_amount(
            level="3", under_250=True, concluded_on=ON, starts_on=datetime.date(2027, 2, 1), disabled=True
        )
        is None
    )


def test_hiring_aid_by_level_lists_every_level_when_none_is_chosen():
    assert legal.hiring_aid_by_level(levels=[], under_250=True, concluded_on=ON, starts_on=ON) == [
        ("3", 5000),
        ("4", 5000),
        ("5", 4500),
        ("6", 2000),
        ("7", 2000),
    ]
    assert legal.hiring_aid_by_level(levels=["5"], under_250=False, concluded_on=ON, starts_on=ON) == [("5", 1500)]
    assert (
        legal.hiring_aid_by_level(levels=["5"], under_250=False, concluded_on=ON, starts_on=datetime.date(2027, 1, 1))
        == []
    )


@pytest.mark.parametrize(
    ("age", "window"),
    [(14, (20, 6)), (15, (20, 6)), (16, (22, 6)), (17, (22, 6)), (18, None)],
)
def test_minor_night_hours(age, window):
    assert legal.minor_night_hours(age=age) == window


@pytest.mark.parametrize(
    ("age", "hour", "derogation", "allowed"),
    [
        (17, 21, None, True),
        (17, 22, None, False),
        (17, 5, None, False),
        (17, 6, None, True),
        (15, 19, None, True),
        (15, 20, None, False),
        (17, 4, legal.NightDerogation.BAKERY, True),
        (17, 3, legal.NightDerogation.BAKERY, False),
        (15, 4, legal.NightDerogation.BAKERY, False),  # la dérogation vaut à partir de 16 ans
        (17, 4, legal.NightDerogation.RESTAURANT, False),  # sur autorisation seulement
        (18, 2, None, True),
    ],
)
def test_minor_may_start_at(age, hour, derogation, allowed):
    assert legal.minor_may_start_at(age=age, hour=hour, derogation=derogation) is allowed


def test_minor_rules_mention_night_work_and_bakery_derogation_only_when_relevant():
    day_rules = legal.minor_rules(night_or_early_work=False, trade_code="boulanger")
    assert day_rules == ["Au plus 8 heures par jour et 35 heures par semaine."]
    bakery = legal.minor_rules(night_or_early_work=True, trade_code="boulanger")
    assert any("22 h et 6 h" in rule and "20 h et 6 h" in rule for rule in bakery)
    assert any("dès 4 h" in rule for rule in bakery)
    restaurant = legal.minor_rules(night_or_early_work=True, trade_code="cuisinier_traiteur")
    assert any("inspection du travail" in rule for rule in restaurant)
    plumber = legal.minor_rules(night_or_early_work=True, trade_code="plombier")
    assert len(plumber) == 2
