"""Ce que dit la loi, affiché avec chaque offre. Fonctions pures, sans base de données.

Les montants et les pourcentages vivent dans une seule table datée, `FACTS` : chaque entrée dit depuis quand
elle s'applique, où (toute la France ou un département : Mayotte, 976, a son propre SMIC) et d'où elle vient.
Le montant utilisé est celui en vigueur le jour où le contrat commence, dans le département de l'offre. À
chaque revalorisation du SMIC, ajouter une entrée (le contrôle `offers.W001` prévient quand la plus récente a
plus de 13 mois).

Jeunes travailleurs (moins de 18 ans) : Code du travail, articles L3162-1 (durée du travail), L3163-1 et
L3163-2 (travail de nuit), R3163-1 et suivants (dérogations : boulangerie, pâtisserie, restauration,
hôtellerie, spectacles).
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

ALL_FRANCE = ""
MAYOTTE = "976"


@dataclass(frozen=True)
class Smic:
    hourly: Decimal  # brut
    monthly: Decimal  # brut, 35 h par semaine


@dataclass(frozen=True)
class HiringAid:
    """Aide à l'embauche d'un·e apprenti·e : contrats conclus à partir de `since` (l'entrée) et commencés
    avant `starts_before`."""

    starts_before: datetime.date
    amounts: dict  # niveau de diplôme -> (moins de 250 salariés, 250 salariés ou plus), en euros
    disabled_max: int  # apprenti·e en situation de handicap : jusqu'à


@dataclass(frozen=True)
class LegalFact:
    kind: str  # "smic", "pay_percents", "hiring_aid"
    since: datetime.date  # en vigueur à partir de ce jour (inclus)
    value: object
    source: str
    territory: str = ALL_FRANCE  # code de département ; vide : partout où aucune entrée propre ne s'applique


# (âge minimal, âge maximal inclus ou None, libellé, % du SMIC en 1re, 2e, 3e année)
PAY_BANDS = (
    (0, 17, "Moins de 18 ans", (27, 39, 55)),
    (18, 20, "18 à 20 ans", (43, 51, 67)),
    (21, 25, "21 à 25 ans", (53, 61, 78)),
    (26, None, "26 ans et plus", (100, 100, 100)),
)

FACTS = (
    LegalFact(
        "smic",
        datetime.date(2024, 11, 1),
        Smic(Decimal("11.88"), Decimal("1801.80")),
        "Décret n° 2024-951 du 23 octobre 2024 (SMIC au 1er novembre 2024)",
    ),
    LegalFact(
        "smic",
        datetime.date(2024, 11, 1),
        Smic(Decimal("8.98"), Decimal("1361.97")),
        "Décret n° 2024-951 du 23 octobre 2024, article 1er, 2° (SMIC à Mayotte au 1er novembre 2024)",
        territory=MAYOTTE,
    ),
    LegalFact(
        "smic",
        datetime.date(2026, 1, 1),
        Smic(Decimal("12.02"), Decimal("1823.03")),
        "Décret n° 2025-1228 du 17 décembre 2025 (SMIC au 1er janvier 2026)",
    ),
    LegalFact(
        "smic",
        datetime.date(2026, 1, 1),
        Smic(Decimal("9.33"), Decimal("1415.05")),
        "Décret n° 2025-1228 du 17 décembre 2025 (SMIC à Mayotte au 1er janvier 2026)",
        territory=MAYOTTE,
    ),
    LegalFact("pay_percents", datetime.date(2019, 1, 1), PAY_BANDS, "Code du travail, article D6222-26"),
    LegalFact(
        "hiring_aid",
        datetime.date(2026, 3, 8),
        HiringAid(
            starts_before=datetime.date(2027, 1, 1),
            amounts={"3": (5000, 2000), "4": (5000, 2000), "5": (4500, 1500), "6": (2000, 750), "7": (2000, 750)},
            disabled_max=6000,
        ),
        "Décret n° 2026-168",
    ),
)
SMIC_MAX_AGE_MONTHS = 13  # au-delà, le contrôle `offers.W001` demande de vérifier la table


def fact_on(kind: str, day: datetime.date, departement: str = ALL_FRANCE) -> LegalFact | None:
    """L'entrée `kind` en vigueur le jour `day` dans le département `departement` : la plus récente propre au
    département s'il en a une, sinon la plus récente valable partout. None : rien n'est connu pour ce jour."""
    entries = [fact for fact in FACTS if fact.kind == kind and fact.since <= day]
    own = [fact for fact in entries if fact.territory and fact.territory == departement]
    if not own and any(fact.kind == kind and fact.territory == departement for fact in FACTS if departement):
        return None  # le département a ses propres montants, mais aucun n'est connu pour ce jour
    pool = own or [fact for fact in entries if not fact.territory]
    return max(pool, key=lambda fact: fact.since, default=None)


def smic_on(day: datetime.date, departement: str = ALL_FRANCE) -> LegalFact | None:
    """Le SMIC en vigueur le jour `day` dans le département (Mayotte : le sien)."""
    return fact_on("smic", day, departement)


def newest_smic() -> LegalFact:
    return max((fact for fact in FACTS if fact.kind == "smic"), key=lambda fact: fact.since)


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def smic_is_stale(today: datetime.date) -> bool:
    """Vrai si la plus récente entrée du SMIC date de plus de `SMIC_MAX_AGE_MONTHS` mois."""
    return newest_smic().since < months_before(today, SMIC_MAX_AGE_MONTHS)


# --- Rémunération minimale (D6222-26) ---------------------------------------------------------------


def _pay_bands(day: datetime.date):
    return fact_on("pay_percents", day).value


def minimum_pay_percent(*, age: int, contract_year: int, day: datetime.date | None = None) -> int:
    """Pourcentage du SMIC dû à un·e apprenti·e de `age` ans pendant l'année `contract_year` du contrat."""
    if contract_year < 1:
        raise ValueError("L'année de contrat commence à 1.")
    year_index = min(contract_year, 3) - 1
    for low, high, _label, percents in _pay_bands(day or timezone.localdate()):
        if age >= low and (high is None or age <= high):
            return percents[year_index]
    raise ValueError(f"Âge invalide : {age}")


def _share(smic: Decimal, percent: int) -> Decimal:
    return (smic * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def minimum_monthly_pay(*, age: int, contract_year: int, day: datetime.date, departement: str = ALL_FRANCE):
    """Salaire brut mensuel minimal en euros, arrondi au centime, pour un contrat commençant le `day` dans le
    département ; None si le SMIC de ce jour n'est pas connu."""
    smic = smic_on(day, departement)
    if smic is None:
        return None
    return _share(smic.value.monthly, minimum_pay_percent(age=age, contract_year=contract_year, day=day))


@dataclass(frozen=True)
class PayRow:
    label: str
    percents: tuple[int, int, int]
    amounts: tuple[Decimal, Decimal, Decimal]

    @property
    def cells(self) -> list[tuple[int, Decimal]]:
        return list(zip(self.percents, self.amounts, strict=True))


def minimum_pay_table(*, day: datetime.date, departement: str = ALL_FRANCE) -> list[PayRow]:
    """Le barème complet au jour `day` dans le département : une ligne par tranche d'âge, trois années de
    contrat ; vide si le SMIC de ce jour n'est pas connu."""
    smic = smic_on(day, departement)
    if smic is None:
        return []
    return [
        PayRow(label=label, percents=percents, amounts=tuple(_share(smic.value.monthly, p) for p in percents))
        for _low, _high, label, percents in _pay_bands(day)
    ]


# --- Aide à l'embauche --------------------------------------------------------------------------------


def hiring_aid_on(concluded_on: datetime.date) -> LegalFact | None:
    return fact_on("hiring_aid", concluded_on)


def hiring_aid_amount(
    *, level: str, under_250: bool, concluded_on: datetime.date, starts_on: datetime.date, disabled: bool = False
) -> int | None:
    """Montant de l'aide (en euros) pour un contrat d'apprentissage, ou None s'il n'y en a pas.

    Pour un·e apprenti·e en situation de handicap, c'est le plafond (« jusqu'à »).
    """
    fact = hiring_aid_on(concluded_on)
    if fact is None or starts_on >= fact.value.starts_before:
        return None
    if disabled:
        return fact.value.disabled_max
    amounts = fact.value.amounts.get(str(level))
    if amounts is None:
        return None
    return amounts[0] if under_250 else amounts[1]


def hiring_aid_by_level(
    *, levels: list[str], under_250: bool, concluded_on: datetime.date, starts_on: datetime.date
) -> list[tuple[str, int]]:
    """(niveau, montant) pour chaque niveau accepté (tous si la liste est vide) ; vide si aucune aide."""
    fact = hiring_aid_on(concluded_on)
    if fact is None:
        return []
    result = []
    for level in sorted(levels or fact.value.amounts):
        amount = hiring_aid_amount(level=level, under_250=under_250, concluded_on=concluded_on, starts_on=starts_on)
        if amount is not None:
            result.append((level, amount))
    return result


# --- Jeunes travailleurs de moins de 18 ans (L3162-1, L3163-1, L3163-2, R3163-1) --------------------

MINOR_MAX_HOURS_PER_DAY = 8
MINOR_MAX_HOURS_PER_WEEK = 35
NIGHT_END_HOUR = 6  # la nuit se termine à 6 h
NIGHT_START_HOUR_16_17 = 22  # de 16 à 17 ans : pas de travail entre 22 h et 6 h
NIGHT_START_HOUR_UNDER_16 = 20  # moins de 16 ans : pas de travail entre 20 h et 6 h
MINORS_SOURCE = "Code du travail, articles L3162-1, L3163-1, L3163-2 et R3163-1 et suivants"


class NightDerogation:
    """Secteurs où le travail de nuit des 16-17 ans peut être permis."""

    BAKERY = "boulangerie"  # boulangerie et pâtisserie : à partir de 4 h
    RESTAURANT = "restauration"
    HOTEL = "hotellerie"
    SHOW = "spectacle"


BAKERY_EARLIEST_HOUR = 4
DEROGATION_BY_TRADE = {
    "boulanger": NightDerogation.BAKERY,
    "patissier": NightDerogation.BAKERY,
    "vendeur_alimentation": NightDerogation.BAKERY,
    "cuisinier_traiteur": NightDerogation.RESTAURANT,
}


def night_derogation_for_trade(trade_code: str) -> str | None:
    """Le secteur de dérogation au travail de nuit d'un métier du catalogue, s'il y en a un."""
    return DEROGATION_BY_TRADE.get(trade_code)


def minor_night_hours(*, age: int) -> tuple[int, int] | None:
    """Plage de nuit interdite (début, fin) pour un·e jeune de `age` ans ; None à partir de 18 ans."""
    if age >= 18:
        return None
    start = NIGHT_START_HOUR_UNDER_16 if age < 16 else NIGHT_START_HOUR_16_17
    return (start, NIGHT_END_HOUR)


def minor_may_start_at(*, age: int, hour: int, derogation: str | None = None) -> bool:
    """Un·e jeune de `age` ans peut-il ou elle travailler à l'heure `hour` (0-23) ?

    Seules les dérogations de la boulangerie et de la pâtisserie (à partir de 4 h, dès 16 ans) sont
    automatiques ; celles de la restauration, de l'hôtellerie et des spectacles passent par une autorisation
    et ne sont pas présumées ici.
    """
    night = minor_night_hours(age=age)
    if night is None:
        return True
    start, end = night
    in_night = hour >= start or hour < end
    if not in_night:
        return True
    return derogation == NightDerogation.BAKERY and age >= 16 and BAKERY_EARLIEST_HOUR <= hour < end


def minor_rules(*, night_or_early_work: bool, trade_code: str = "") -> list[str]:
    """Les règles à rappeler pour une offre ouverte aux mineur·es ; celles de la nuit si l'offre en comporte."""
    rules = [
        f"Au plus {MINOR_MAX_HOURS_PER_DAY} heures par jour et {MINOR_MAX_HOURS_PER_WEEK} heures par semaine.",
    ]
    if night_or_early_work:
        rules.append(
            f"Pas de travail de nuit : entre {NIGHT_START_HOUR_16_17} h et {NIGHT_END_HOUR} h de 16 à 17 ans, "
            f"entre {NIGHT_START_HOUR_UNDER_16} h et {NIGHT_END_HOUR} h avant 16 ans."
        )
        derogation = night_derogation_for_trade(trade_code)
        if derogation == NightDerogation.BAKERY:
            rules.append(
                "Boulangerie et pâtisserie : un·e apprenti·e de 16 ou 17 ans peut commencer dès "
                f"{BAKERY_EARLIEST_HOUR} h."
            )
        elif derogation in (NightDerogation.RESTAURANT, NightDerogation.HOTEL, NightDerogation.SHOW):
            rules.append(
                "Restauration, hôtellerie, spectacles : des dérogations existent, sur autorisation de "
                "l'inspection du travail."
            )
    return rules
