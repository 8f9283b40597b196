import datetime
from decimal import Decimal

import pytest

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


def test_minimum_monthly_pay_is_a_share_of_the_dated_smic():
    assert Decimal("1801.80") == legal.SMIC_MONTHLY_GROSS
    assert datetime.date(2025, 1, 1) == legal.SMIC_DATE
    assert legal.minimum_monthly_pay(age=17, contract_year=1) == Decimal("486.49")  # 27 % de 1 801,80
    assert legal.minimum_monthly_pay(age=26, contract_year=1) == Decimal("1801.80")


def test_pay_table_has_four_age_bands_and_three_years():
    table = legal.minimum_pay_table()
    assert [row.label for row in table] == ["Moins de 18 ans", "18 à 20 ans", "21 à 25 ans", "26 ans et plus"]
    assert table[1].cells[2] == (67, Decimal("1207.21"))


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
