"""« Et maintenant ? » : ce qu'une paire en relation doit faire jusqu'au contrat signé, calculé pour elle.

Fonctions pures, sans base de données. Tous les montants viennent de la table datée `offers.legal` : salaire
minimum selon l'âge à chaque année du contrat, aide à l'embauche, règles des mineur·es.

Le salaire monte d'une tranche le premier jour du mois qui suit l'anniversaire qui la fait franchir (Code du
travail, article D6222-34) : une année de contrat peut donc avoir deux montants.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from matching.enums import KIT_STEP_SIDE, KitStep, Side
from matching.rules import MAJORITY_AGE, age_on
from offers import legal

CONTRACT_YEARS = 3  # l'apprentissage dure de 6 mois à 3 ans : le barème est donné pour trois années
STALL_DAYS = 10  # une paire sans étape cochée depuis ce nombre de jours est relancée

CFA_SEARCH_URL = "https://labonnealternance.apprentissage.beta.gouv.fr/"
CONTRACT_FORM_URL = "https://contrat.apprentissage.beta.gouv.fr/"
HIRING_AID_URL = "https://sylae.asp-public.fr/"
PAY_RAISE_SOURCE = "Code du travail, article D6222-34"
GUARDIAN_SOURCE = "Code du travail, article L6222-4"
MEDICAL_SOURCE = "Code du travail, article R4624-18"


@dataclass(frozen=True)
class PayPeriod:
    """Le salaire minimum d'une période du contrat, à partir du jour `since`."""

    contract_year: int
    since: datetime.date
    age: int
    percent: int
    amount: Decimal | None  # None : le SMIC de ce jour n'est pas connu


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    side: str
    details: tuple[str, ...] = ()
    link: tuple[str, str] | None = None  # (adresse, texte)
    done_at: datetime.datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def side_label(self) -> str:
        return Side(self.side).label


@dataclass(frozen=True)
class Kit:
    start: datetime.date
    age: int
    pay: tuple[PayPeriod, ...]
    pay_source: str
    smic_source: str
    hiring_aid: int | None
    hiring_aid_source: str
    minor_rules: tuple[str, ...]
    steps: tuple[Step, ...] = field(default=())

    @property
    def is_minor(self) -> bool:
        return self.age < MAJORITY_AGE

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    def steps_for(self, side: str) -> list[Step]:
        return [step for step in self.steps if step.side == side]

    def next_steps(self, side: str) -> list[Step]:
        return [step for step in self.steps_for(side) if not step.done]


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 février
        return day.replace(year=day.year + years, day=28)


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _band(age: int, day: datetime.date) -> int:
    for index, (low, high, _label, _percents) in enumerate(legal.fact_on("pay_percents", day).value):
        if age >= low and (high is None or age <= high):
            return index
    raise ValueError(f"Âge invalide : {age}")


def _period(year: int, since: datetime.date, age: int, departement: str) -> PayPeriod:
    return PayPeriod(
        contract_year=year,
        since=since,
        age=age,
        percent=legal.minimum_pay_percent(age=age, contract_year=year, day=since),
        amount=legal.minimum_monthly_pay(age=age, contract_year=year, day=since, departement=departement),
    )


def pay_periods(*, birth_date: datetime.date, start: datetime.date, departement: str) -> list[PayPeriod]:
    """Le salaire minimum de chaque année du contrat commencé le `start`, selon l'âge : une période par année,
    et une de plus quand un anniversaire fait changer de tranche en cours d'année (dès le 1er du mois suivant).
    Le SMIC est celui connu pour chaque jour (le plus récent de la table s'il s'agit d'un jour à venir)."""
    periods = []
    for year in range(1, CONTRACT_YEARS + 1):
        year_start, year_end = _add_years(start, year - 1), _add_years(start, year)
        age = age_on(birth_date, year_start)
        periods.append(_period(year, year_start, age, departement))
        birthday = _add_years(birth_date, age + 1)
        raise_day = _first_of_next_month(birthday)
        if raise_day < year_end and _band(age + 1, raise_day) != _band(age, year_start):
            periods.append(_period(year, raise_day, age + 1, departement))
    return periods


def build_kit(
    *,
    birth_date: datetime.date,
    start: datetime.date,
    departement: str,
    level: str,
    under_250: bool,
    night_or_early_work: bool,
    trade_code: str,
    today: datetime.date,
    done: dict | None = None,
) -> Kit:
    """Le kit d'une paire : le contrat commence le `start` ; `done` : {code d'étape: date où elle a été cochée}."""
    done = done or {}
    age = age_on(birth_date, start)
    minor = age < MAJORITY_AGE
    smic = legal.smic_on(start, departement)
    aid = (
        legal.hiring_aid_amount(level=level, under_250=under_250, concluded_on=today, starts_on=start)
        if level
        else None
    )
    aid_fact = legal.hiring_aid_on(today)
    rules = tuple(legal.minor_rules(night_or_early_work=night_or_early_work, trade_code=trade_code)) if minor else ()

    def step(code: KitStep, details=(), link=None) -> Step:
        return Step(
            code=code.value,
            label=code.label,
            side=KIT_STEP_SIDE[code].value,
            details=tuple(details),
            link=link,
            done_at=done.get(code.value),
        )

    pay_fact = legal.fact_on("pay_percents", start)
    steps = [
        step(
            KitStep.CFA,
            [
                "Le contrat d'apprentissage suit une formation dans un centre de formation d'apprentis (CFA) : "
                "l'inscription y est nécessaire avant de signer.",
                "Déjà inscrit·e ? Il suffit de confirmer le CFA à l'employeur.",
            ],
            (CFA_SEARCH_URL, "Chercher un CFA sur La bonne alternance"),
        ),
        step(
            KitStep.CONTRACT_FORM,
            [
                "Le contrat se remplit en ligne (formulaire Cerfa FA13), puis se transmet à l'opérateur de "
                "compétences (OPCO) de l'entreprise dans les 5 jours qui suivent le début.",
                f"Salaire : au moins le minimum légal pour l'âge, à chaque année ({pay_fact.source}).",
            ],
            (CONTRACT_FORM_URL, "Remplir le contrat d'apprentissage en ligne"),
        ),
    ]
    if minor:
        steps += [
            step(
                KitStep.GUARDIAN,
                [
                    "Avant 18 ans, le contrat est signé aussi par un parent ou le ou la représentant·e légal·e "
                    f"({GUARDIAN_SOURCE}).",
                ],
            ),
            step(
                KitStep.MEDICAL,
                [
                    "Un·e apprenti·e mineur·e passe la visite d'information et de prévention auprès du service de "
                    f"santé au travail avant de prendre son poste ({MEDICAL_SOURCE}).",
                ],
            ),
            step(KitStep.HOURS, [*rules, f"Source : {legal.MINORS_SOURCE}."]),
        ]
    if aid is not None:
        steps.append(
            step(
                KitStep.HIRING_AID,
                [
                    f"Pour ce contrat, l'entreprise peut recevoir {aid} € la première année ({aid_fact.source}).",
                    "Rien à remplir à part : l'aide est versée chaque mois par l'Agence de services et de paiement "
                    "(ASP) une fois le contrat transmis à l'OPCO et enregistré. Elle se suit sur Sylaé.",
                ],
                (HIRING_AID_URL, "Suivre l'aide sur Sylaé"),
            )
        )
    return Kit(
        start=start,
        age=age,
        pay=tuple(pay_periods(birth_date=birth_date, start=start, departement=departement)),
        pay_source=f"{pay_fact.source} ; {PAY_RAISE_SOURCE}",
        smic_source=smic.source if smic else "",
        hiring_aid=aid,
        hiring_aid_source=aid_fact.source if aid_fact else "",
        minor_rules=rules,
        steps=tuple(steps),
    )
