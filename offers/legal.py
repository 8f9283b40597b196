"""Ce que dit la loi, affiché avec chaque offre. Fonctions pures, sans base de données.

Sources (à revoir à chaque revalorisation du SMIC ou nouveau décret) :
- rémunération minimale de l'apprenti·e : Code du travail, articles D6222-26 et suivants ;
- SMIC : 1 801,80 € brut mensuel pour 35 h, montant en vigueur au 1er janvier 2025 (revalorisation du
  1er novembre 2024) ;
- aide à l'embauche : décret n° 2026-168 (contrats conclus à partir du 8 mars 2026 et commencés avant le
  1er janvier 2027) ;
- jeunes travailleurs (moins de 18 ans) : Code du travail, articles L3162-1 (durée du travail), L3163-1 et
  L3163-2 (travail de nuit), R3163-1 et suivants (dérogations : boulangerie, pâtisserie, restauration,
  hôtellerie, spectacles).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- Rémunération minimale (D6222-26) ---------------------------------------------------------------

SMIC_MONTHLY_GROSS = Decimal("1801.80")
SMIC_DATE = datetime.date(2025, 1, 1)
SMIC_SOURCE = "SMIC mensuel brut (35 h) en vigueur au 1er janvier 2025"
PAY_SOURCE = "Code du travail, article D6222-26"

# (âge minimal, âge maximal inclus ou None, libellé, % du SMIC en 1re, 2e, 3e année)
PAY_BANDS = (
    (0, 17, "Moins de 18 ans", (27, 39, 55)),
    (18, 20, "18 à 20 ans", (43, 51, 67)),
    (21, 25, "21 à 25 ans", (53, 61, 78)),
    (26, None, "26 ans et plus", (100, 100, 100)),
)


def minimum_pay_percent(*, age: int, contract_year: int) -> int:
    """Pourcentage du SMIC dû à un·e apprenti·e de `age` ans pendant l'année `contract_year` du contrat."""
    if contract_year < 1:
        raise ValueError("L'année de contrat commence à 1.")
    year_index = min(contract_year, 3) - 1
    for low, high, _label, percents in PAY_BANDS:
        if age >= low and (high is None or age <= high):
            return percents[year_index]
    raise ValueError(f"Âge invalide : {age}")


def minimum_monthly_pay(*, age: int, contract_year: int, smic: Decimal = SMIC_MONTHLY_GROSS) -> Decimal:
    """Salaire brut mensuel minimal en euros, arrondi au centime."""
    percent = minimum_pay_percent(age=age, contract_year=contract_year)
    return (smic * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PayRow:
    label: str
    percents: tuple[int, int, int]
    amounts: tuple[Decimal, Decimal, Decimal]

    @property
    def cells(self) -> list[tuple[int, Decimal]]:
        return list(zip(self.percents, self.amounts, strict=True))


def minimum_pay_table(*, smic: Decimal = SMIC_MONTHLY_GROSS) -> list[PayRow]:
    """Le barème complet : une ligne par tranche d'âge, trois années de contrat."""
    return [
        PayRow(
            label=label,
            percents=percents,
            amounts=tuple((smic * p / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for p in percents),
        )
        for _low, _high, label, percents in PAY_BANDS
    ]


# --- Aide à l'embauche (décret 2026-168) ------------------------------------------------------------

HIRING_AID_SOURCE = "Décret n° 2026-168"
HIRING_AID_CONCLUDED_FROM = datetime.date(2026, 3, 8)  # contrats conclus à partir de cette date (incluse)
HIRING_AID_STARTS_BEFORE = datetime.date(2027, 1, 1)  # et commencés avant cette date (exclue)
# niveau de diplôme -> (moins de 250 salariés, 250 salariés ou plus), en euros
HIRING_AID_AMOUNTS = {
    "3": (5000, 2000),
    "4": (5000, 2000),
    "5": (4500, 1500),
    "6": (2000, 750),
    "7": (2000, 750),
}
HIRING_AID_DISABLED_MAX = 6000  # apprenti·e en situation de handicap : jusqu'à 6 000 €


def hiring_aid_amount(
    *, level: str, under_250: bool, concluded_on: datetime.date, starts_on: datetime.date, disabled: bool = False
) -> int | None:
    """Montant de l'aide (en euros) pour un contrat d'apprentissage, ou None s'il n'y en a pas.

    Pour un·e apprenti·e en situation de handicap, c'est le plafond (« jusqu'à »).
    """
    if not (concluded_on >= HIRING_AID_CONCLUDED_FROM and starts_on < HIRING_AID_STARTS_BEFORE):
        return None
    if disabled:
        return HIRING_AID_DISABLED_MAX
    amounts = HIRING_AID_AMOUNTS.get(str(level))
    if amounts is None:
        return None
    return amounts[0] if under_250 else amounts[1]


def hiring_aid_by_level(
    *, levels: list[str], under_250: bool, concluded_on: datetime.date, starts_on: datetime.date
) -> list[tuple[str, int]]:
    """(niveau, montant) pour chaque niveau accepté (tous si la liste est vide) ; vide si aucune aide."""
    result = []
    for level in sorted(levels or HIRING_AID_AMOUNTS):
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
