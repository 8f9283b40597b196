"""Les règles de correspondance, en fonctions pures : aucune requête, aucun modèle.

Une paire candidat·e / offre « correspond » quand toutes les règles de `RULES` sont vraies. `evaluate`
renvoie alors un `Fit` : la distance et le score (pour ranger les paires, le plus haut d'abord) ; `reasons`
donne les raisons en mots simples (« à 12 km », « même métier : Boulanger / Boulangère »…).
"""

import calendar
import datetime
from dataclasses import dataclass
from typing import NamedTuple

from core.enums import ContractType, DiplomaLevel
from core.text import MONTHS

MAX_RADIUS_KM = 100
APPRENTICESHIP_MIN_AGE = 15  # 15 ans : possible en sortie de 3e (vérifié à l'inscription)
APPRENTICESHIP_MAX_AGE = 29
PROFESSIONALISATION_MIN_AGE = 16
MAJORITY_AGE = 18
FRESH_DAYS = 60  # au-delà, une offre n'a plus de bonus de fraîcheur


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """Ce que les règles savent d'un profil."""

    id: int
    commune_code: str | None
    radius_km: int
    trade_ids: frozenset
    level: str
    contract_types: frozenset
    available_from: datetime.date | None
    birth_date: datetime.date | None
    age_exception: bool = False
    searching: bool = True


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """Ce que les règles savent d'une offre."""

    id: int
    commune_code: str | None
    trade_id: int
    trade_label: str
    levels: tuple = ()
    contract_types: frozenset = frozenset()
    start_date: datetime.date | None = None
    accepts_minors: bool = True
    published: bool = True
    published_at: datetime.datetime | None = None
    trade_active: bool = True


class Fit(NamedTuple):
    """Une paire qui correspond : sa distance et son score hors fraîcheur (`base`), que `score_at` complète.

    Les raisons en mots ne sont pas gardées : `reasons` les donne à l'affichage, avec les données du moment.
    """

    base: float
    distance_km: float
    published_at: datetime.datetime | None = None

    def score_at(self, found_at: datetime.datetime) -> float:
        """Le score de la paire trouvée à `found_at` (la fraîcheur de l'offre se mesure à ce moment-là)."""
        return round(self.base + freshness_points(self.published_at, found_at), 3)


def month_before(day: datetime.date) -> datetime.date:
    """Le même jour, un mois plus tôt (le dernier jour du mois s'il n'existe pas : 31 mars -> 28/29 février)."""
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def latest_birth_date(day: datetime.date, age: int) -> datetime.date:
    """La date de naissance la plus tardive qui donne `age` ans ou plus le jour `day` :
    age_on(naissance, day) >= age  <=>  naissance <= latest_birth_date(day, age) (29 février compris)."""
    year = day.year - age
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def latest_availability(start_date: datetime.date) -> datetime.date:
    """La disponibilité la plus tardive qu'une offre commençant le `start_date` accepte (`start_fits`) :
    start_date >= month_before(disponibilité)  <=>  disponibilité <= latest_availability(start_date)."""
    day = start_date + datetime.timedelta(days=31)
    while month_before(day) > start_date:
        day -= datetime.timedelta(days=1)
    return day


def start_day(offer: OfferFacts, today: datetime.date) -> datetime.date:
    """Le jour où le contrat commencerait : la date de l'offre, ou aujourd'hui (« dès que possible »)."""
    return offer.start_date if offer.start_date and offer.start_date > today else today


# --- Les règles : (candidat·e, offre, distance, aujourd'hui) -> bool ---------------------------------


def is_open(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """L'offre est publiée, son métier est au catalogue et le profil cherche."""
    return offer.published and offer.trade_active and candidate.searching


def is_near(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """La distance est connue et dans le rayon choisi par le ou la candidat·e."""
    return distance_km is not None and distance_km <= candidate.radius_km


def same_trade(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return offer.trade_id in candidate.trade_ids


def level_accepted(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """Offre sans niveau précisé : tous les niveaux."""
    return bool(candidate.level) and (not offer.levels or candidate.level in offer.levels)


def contract_overlaps(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return bool(candidate.contract_types & offer.contract_types)


def start_fits(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """L'offre commence au plus tôt un mois avant la disponibilité ; sans date : « dès que possible »."""
    if candidate.available_from is None:
        return False
    return offer.start_date is None or offer.start_date >= month_before(candidate.available_from)


def suitable_contracts(candidate: CandidateFacts, offer: OfferFacts, today) -> frozenset:
    """Les types de contrat communs que l'âge au début du contrat permet."""
    if candidate.birth_date is None:
        return frozenset()
    age = age_on(candidate.birth_date, start_day(offer, today))
    suitable = set()
    common = candidate.contract_types & offer.contract_types
    if (
        ContractType.APPRENTISSAGE in common
        and age >= APPRENTICESHIP_MIN_AGE
        and (age <= APPRENTICESHIP_MAX_AGE or candidate.age_exception)
    ):
        suitable.add(ContractType.APPRENTISSAGE.value)
    # Professionnalisation : 16-25 ans, ou 26 ans et plus demandeur·se d'emploi : 16 ans et plus.
    if ContractType.PROFESSIONNALISATION in common and age >= PROFESSIONALISATION_MIN_AGE:
        suitable.add(ContractType.PROFESSIONNALISATION.value)
    return frozenset(suitable)


def age_fits(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return bool(suitable_contracts(candidate, offer, today))


def minor_accepted(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """Un·e mineur·e (moins de 18 ans au début du contrat) seulement si l'offre accepte les mineur·es."""
    if offer.accepts_minors:
        return True
    return candidate.birth_date is not None and age_on(candidate.birth_date, start_day(offer, today)) >= MAJORITY_AGE


RULES = (is_open, same_trade, is_near, level_accepted, contract_overlaps, start_fits, age_fits, minor_accepted)


def failed_rules(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> list[str]:
    """Noms des règles non respectées (vide : la paire correspond)."""
    return [rule.__name__ for rule in RULES if not rule(candidate, offer, distance_km, today)]


def fits(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return all(rule(candidate, offer, distance_km, today) for rule in RULES)


# --- Score et raisons ---------------------------------------------------------------------------


def proximity_points(distance_km: float, radius_km: int) -> float:
    return 40 * max(0.0, 1 - distance_km / max(radius_km, 1))


def level_points(level: str, offer_levels) -> int:
    """Niveau exact (l'offre le nomme) : 20 ; offre ouverte à tous les niveaux : 10."""
    return 20 if level in offer_levels else 10


def start_points(start_date: datetime.date | None, available_from: datetime.date) -> float:
    """Début de l'offre proche de la disponibilité : jusqu'à 20 ; « dès que possible » : 15."""
    if start_date is None:
        return 15
    return 20 * max(0.0, 1 - abs((start_date - available_from).days) / 180)


def freshness_points(published_at: datetime.datetime | None, found_at: datetime.datetime) -> float:
    """Offre publiée depuis peu quand la paire est trouvée : jusqu'à 20 (rien au-delà de FRESH_DAYS)."""
    if published_at is None:
        return 0
    age_days = max(0.0, (found_at - published_at).total_seconds() / 86400)
    return 20 * max(0.0, 1 - age_days / FRESH_DAYS)


def base_score(candidate: CandidateFacts, offer: OfferFacts, distance_km: float, today: datetime.date) -> float:
    """Proximité (40), niveau exact (20), date de début (20) : le score sans la fraîcheur de l'offre (20), que
    `Fit.score_at` ajoute au moment où la paire est trouvée. Ce moment fixé, le score ne bouge plus : un
    nouveau calcul ne réécrit une paire que si elle a vraiment changé."""
    return (
        proximity_points(distance_km, candidate.radius_km)
        + level_points(candidate.level, offer.levels)
        + start_points(offer.start_date, candidate.available_from or today)
    )


def distance_text(distance_km: float) -> str:
    if distance_km < 1:
        return "à moins de 1 km"
    return f"à {round(distance_km)} km"


def start_text(offer: OfferFacts) -> str:
    if offer.start_date is None:
        return "début dès que possible"
    return f"début en {MONTHS[offer.start_date.month - 1]} {offer.start_date.year}"


def level_text(candidate: CandidateFacts, offer: OfferFacts) -> str:
    if not offer.levels:
        return "tous niveaux acceptés"
    try:
        label = DiplomaLevel(candidate.level).short_label
    except ValueError:
        label = candidate.level
    return f"niveau {label} accepté"


def reasons(candidate: CandidateFacts, offer: OfferFacts, distance_km: float, today) -> tuple:
    contracts = suitable_contracts(candidate, offer, today)
    texts = [
        distance_text(distance_km),
        f"même métier : {offer.trade_label}",
        level_text(candidate, offer),
        start_text(offer),
    ]
    labels = [ContractType(value).label.replace("Contrat", "contrat") for value in sorted(contracts)]
    if labels:
        texts.append(" ou ".join(labels))
    return tuple(texts)


def evaluate(candidate: CandidateFacts, offer: OfferFacts, distance_km, now: datetime.datetime) -> Fit | None:
    """La paire si elle correspond (score hors fraîcheur, distance arrondie), sinon None."""
    today = now.date()
    if not fits(candidate, offer, distance_km, today):
        return None
    return Fit(
        base=base_score(candidate, offer, distance_km, today),
        distance_km=round(distance_km, 1),
        published_at=offer.published_at,
    )
