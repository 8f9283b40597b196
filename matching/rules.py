"""Les règles de correspondance, en fonctions pures : aucune requête, aucun modèle.

Une paire candidat·e / offre « correspond » quand toutes les règles de `RULES` sont vraies. `evaluate`
renvoie alors un `Fit` : la distance et le score (pour ranger les paires, le plus haut d'abord) ; `reasons`
donne les raisons en mots simples (« à 12 km », « même métier : Boulanger / Boulangère »…).

Chaque borne, limite et poids est défini ici, une fois : les bornes SQL de `matching.search`, le moteur en
colonnes de `matching.bulk` et le « pourquoi aucune paire » des conseiller·es (`failed_rules`) en dérivent.

L'âge et la disponibilité se jugent le jour où le contrat peut vraiment commencer (`contract_start`) : le plus
tardif d'aujourd'hui, du début de l'offre et de la disponibilité du ou de la candidat·e.
"""

import calendar
import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from core.enums import ContractType, DiplomaLevel
from core.text import MONTHS

# Code du travail, L6222-1 : apprentissage de 16 à 29 ans révolus (15 ans en sortie de 3e, vérifié à
# l'inscription) ; au-delà, seulement avec une exception (RQTH, sportif·ve de haut niveau, projet d'entreprise).
APPRENTICESHIP_MIN_AGE = 15
APPRENTICESHIP_MAX_AGE = 29
# L6325-1 : professionnalisation de 16 à 25 ans révolus ; à 26 ans et plus, pour les demandeur·ses d'emploi
# inscrit·es à France Travail (et certain·es bénéficiaires de minima sociaux).
PROFESSIONALISATION_MIN_AGE = 16
PROFESSIONALISATION_MAX_AGE = 25
MAJORITY_AGE = 18

# Les âges où le résultat des règles peut changer (un anniversaire qui les franchit) : la tâche quotidienne
# recalcule les profils qui les atteignent.
AGE_THRESHOLDS = tuple(
    sorted(
        {
            APPRENTICESHIP_MIN_AGE,
            APPRENTICESHIP_MAX_AGE + 1,
            PROFESSIONALISATION_MIN_AGE,
            PROFESSIONALISATION_MAX_AGE + 1,
            MAJORITY_AGE,
        }
    )
)

# Poids du score (sur 100).
PROXIMITY_POINTS = 40  # au lieu même ; 0 au bord du rayon
EXACT_LEVEL_POINTS = 20  # l'offre nomme le niveau préparé
ANY_LEVEL_POINTS = 10  # offre ouverte à tous les niveaux
START_POINTS = 20  # début de l'offre le jour de la disponibilité ; 0 à START_WINDOW_DAYS d'écart
START_WINDOW_DAYS = 180
ASAP_START_POINTS = 15  # offre « dès que possible »
FRESH_POINTS = 20  # offre publiée à l'instant ; 0 après FRESH_DAYS
FRESH_DAYS = 60


def _reads(*names: str, default=dataclasses.MISSING):
    """Un fait lu dans les champs `names` du modèle (la liste de ce qui doit relancer la mise en relation)."""
    return field(default=default, metadata={"model_fields": names})


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """Ce que les règles savent d'un profil ; chaque fait déclare les champs du profil qu'il lit."""

    id: int
    commune_code: str | None = _reads("commune")
    radius_km: int = _reads("radius_km")
    trade_ids: frozenset = _reads("trades")
    level: str = _reads("level")
    contract_types: frozenset = _reads("contract_types")
    available_from: datetime.date | None = _reads("available_from")
    birth_date: datetime.date | None = _reads("birth_date")
    age_exception: bool = _reads("age_exception", default=False)
    job_seeker: bool = _reads("job_seeker", default=False)
    searching: bool = _reads("status", "is_complete", default=True)


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """Ce que les règles savent d'une offre ; chaque fait déclare les champs de l'offre qu'il lit."""

    id: int
    commune_code: str | None = _reads("commune")
    trade_id: int = _reads("trade")
    trade_label: str = _reads("trade")
    levels: tuple = _reads("levels", default=())
    contract_types: frozenset = _reads("contract_types", default=frozenset())
    start_date: datetime.date | None = _reads("start_date", default=None)
    accepts_minors: bool = _reads("accepts_minors", default=True)
    published: bool = _reads("status", default=True)
    published_at: datetime.datetime | None = _reads("published_at", default=None)
    trade_active: bool = _reads("trade", default=True)


def model_fields(facts_class) -> frozenset:
    """Les champs du modèle que lisent les faits `facts_class` : en changer un relance la mise en relation."""
    return frozenset(name for fact in dataclasses.fields(facts_class) for name in fact.metadata.get("model_fields", ()))


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


def offer_start(offer: OfferFacts, today: datetime.date) -> datetime.date:
    """Le jour le plus tôt où le contrat de l'offre peut commencer : sa date, ou aujourd'hui si elle est passée
    ou « dès que possible »."""
    return offer.start_date if offer.start_date and offer.start_date > today else today


def contract_start(candidate: CandidateFacts, offer: OfferFacts, today: datetime.date) -> datetime.date:
    """Le jour le plus tôt où le contrat peut vraiment commencer : le plus tardif d'aujourd'hui, du début de
    l'offre et de la disponibilité. L'âge se juge ce jour-là."""
    start = offer_start(offer, today)
    return candidate.available_from if candidate.available_from and candidate.available_from > start else start


def age_at_start(candidate: CandidateFacts, offer: OfferFacts, today: datetime.date) -> int:
    """L'âge au début du contrat. L'âge croît avec le jour : c'est le plus grand de l'âge au début de l'offre
    (`offer_start`) et de l'âge à la disponibilité (ce que font les bornes SQL et le moteur en colonnes)."""
    return age_on(candidate.birth_date, contract_start(candidate, offer, today))


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
    """L'offre commence (au plus tôt aujourd'hui) au plus tôt un mois avant la disponibilité ; sans date :
    « dès que possible »."""
    if candidate.available_from is None:
        return False
    return offer.start_date is None or offer_start(offer, today) >= month_before(candidate.available_from)


def apprenticeship_age_fits(age: int, age_exception: bool) -> bool:
    """L6222-1 : de 15 (sortie de 3e) à 29 ans révolus ; au-delà, avec une exception."""
    return age >= APPRENTICESHIP_MIN_AGE and (age <= APPRENTICESHIP_MAX_AGE or age_exception)


def professionalisation_age_fits(age: int, job_seeker: bool) -> bool:
    """L6325-1 : de 16 à 25 ans révolus ; à 26 ans et plus, inscrit·e à France Travail."""
    return age >= PROFESSIONALISATION_MIN_AGE and (age <= PROFESSIONALISATION_MAX_AGE or job_seeker)


def suitable_contracts(candidate: CandidateFacts, offer: OfferFacts, today) -> frozenset:
    """Les types de contrat communs que l'âge au début du contrat permet."""
    if candidate.birth_date is None:
        return frozenset()
    age = age_at_start(candidate, offer, today)
    suitable = set()
    common = candidate.contract_types & offer.contract_types
    if ContractType.APPRENTISSAGE in common and apprenticeship_age_fits(age, candidate.age_exception):
        suitable.add(ContractType.APPRENTISSAGE.value)
    if ContractType.PROFESSIONNALISATION in common and professionalisation_age_fits(age, candidate.job_seeker):
        suitable.add(ContractType.PROFESSIONNALISATION.value)
    return frozenset(suitable)


def age_fits(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return bool(suitable_contracts(candidate, offer, today))


def minor_accepted(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    """Un·e mineur·e (moins de 18 ans au début du contrat) seulement si l'offre accepte les mineur·es."""
    if offer.accepts_minors:
        return True
    return candidate.birth_date is not None and age_at_start(candidate, offer, today) >= MAJORITY_AGE


RULES = (is_open, same_trade, is_near, level_accepted, contract_overlaps, start_fits, age_fits, minor_accepted)


def failed_rules(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> list[str]:
    """Noms des règles non respectées (vide : la paire correspond)."""
    return [rule.__name__ for rule in RULES if not rule(candidate, offer, distance_km, today)]


def fits(candidate: CandidateFacts, offer: OfferFacts, distance_km, today) -> bool:
    return all(rule(candidate, offer, distance_km, today) for rule in RULES)


# --- Score et raisons ---------------------------------------------------------------------------


def proximity_points(distance_km: float, radius_km: int) -> float:
    return PROXIMITY_POINTS * max(0.0, 1 - distance_km / max(radius_km, 1))


def level_points(level: str, offer_levels) -> int:
    """Niveau exact (l'offre le nomme) : 20 ; offre ouverte à tous les niveaux : 10."""
    return EXACT_LEVEL_POINTS if level in offer_levels else ANY_LEVEL_POINTS


def start_points(start_date: datetime.date | None, available_from: datetime.date) -> float:
    """Début de l'offre proche de la disponibilité : jusqu'à 20 ; « dès que possible » : 15."""
    if start_date is None:
        return ASAP_START_POINTS
    return START_POINTS * max(0.0, 1 - abs((start_date - available_from).days) / START_WINDOW_DAYS)


def freshness_points(published_at: datetime.datetime | None, found_at: datetime.datetime) -> float:
    """Offre publiée depuis peu quand la paire est trouvée : jusqu'à 20 (rien au-delà de FRESH_DAYS)."""
    if published_at is None:
        return 0
    age_days = max(0.0, (found_at - published_at).total_seconds() / 86400)
    return FRESH_POINTS * max(0.0, 1 - age_days / FRESH_DAYS)


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
    if not candidate.level:  # recherche publique sans niveau : les niveaux de l'offre
        labels = [DiplomaLevel(level).short_label for level in sorted(offer.levels) if level in DiplomaLevel]
        return "niveau " + " ou ".join(labels)
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
