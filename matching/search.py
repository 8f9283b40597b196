"""Les deux recherches de paires : les candidat·es d'une offre (`offer_candidate_pool`) et les offres d'un
profil (`candidate_offer_pool`).

Toutes deux lisent un index par métier et cases de 0,1° (`matching.indexes`, `matching.cells`), filtrent en SQL
ce que les règles permettent de traduire en bornes (niveau, dates, contrats, âge, mineur·es), puis calculent
en Python la distance exacte entre communes et le score. Les tests les comparent à un parcours complet par
`rules.evaluate` : les deux doivent donner exactement les mêmes paires.
"""

import datetime
import functools

from django.utils import timezone

from core.enums import RADIUS_BANDS, ContractType
from geo.distance import commune_index
from matching import cells, rules
from matching.indexes import located
from matching.models import CandidateTradeIndex, OfferIndex
from matching.rule_facts import CONTRACT_BITS, LEVEL_BITS, contract_mask, contract_set, level_tuple
from matching.sql import fetch_rows, ranges_join, table_name
from trades.models import Trade


@functools.lru_cache(maxsize=4096)
def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _aware(value):
    """Horodatage lu en SQL direct : SQLite le rend sans fuseau (UTC)."""
    return value.replace(tzinfo=datetime.UTC) if value is not None and value.tzinfo is None else value


def _cell_ranges(lat: float, lng: float) -> list[tuple[int, int, int]]:
    """Pour chaque rayon proposé R, les cases à R km ou moins de (lat, lng), en intervalles : (R, début, fin)."""
    return [(band, first, last) for band in RADIUS_BANDS for first, last in cells.cell_ranges(lat, lng, band)]


def _age_where(facts: rules.OfferFacts, today: datetime.date) -> tuple[str, list] | None:
    """Clause SQL sur (contracts, birth_date, availability_age, age_exception, job_seeker) : un type de contrat
    commun que l'âge au début du contrat permet (`rules.age_fits`), et la majorité si l'offre refuse les
    mineur·es (`rules.minor_accepted`). None : aucun type de contrat possible.

    L'âge au début du contrat (`rules.age_at_start`) est le plus grand de l'âge au début de l'offre (borne sur
    la date de naissance) et de l'âge à la disponibilité (colonne `availability_age` de l'index)."""
    start = rules.offer_start(facts, today)

    def at_least(age):
        return "(birth_date <= %s OR availability_age >= %s)", [rules.latest_birth_date(start, age).isoformat(), age]

    def below(age):
        return "(birth_date > %s AND availability_age < %s)", [rules.latest_birth_date(start, age).isoformat(), age]

    def term(bit, minimum, limit, exception_column):
        (low, low_params), (high, high_params) = at_least(minimum), below(limit + 1)
        sql = f"((contracts & %s) <> 0 AND {low} AND ({high} OR {exception_column}))"
        return sql, [bit, *low_params, *high_params]

    terms = []
    if ContractType.APPRENTISSAGE in facts.contract_types:
        terms.append(
            term(
                CONTRACT_BITS[ContractType.APPRENTISSAGE],
                rules.APPRENTICESHIP_MIN_AGE,
                rules.APPRENTICESHIP_MAX_AGE,
                "age_exception",
            )
        )
    if ContractType.PROFESSIONNALISATION in facts.contract_types:
        terms.append(
            term(
                CONTRACT_BITS[ContractType.PROFESSIONNALISATION],
                rules.PROFESSIONALISATION_MIN_AGE,
                rules.PROFESSIONALISATION_MAX_AGE,
                "job_seeker",
            )
        )
    if not terms:
        return None
    where = "(" + " OR ".join(sql for sql, _ in terms) + ")"
    params = [value for _, values in terms for value in values]
    if not facts.accepts_minors:
        adult, adult_params = at_least(rules.MAJORITY_AGE)
        where += f" AND {adult}"
        params += adult_params
    return where, params


def offer_candidate_pool(facts: rules.OfferFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les candidat·es qui correspondent à l'offre : {id du profil: Fit}.

    SQL : l'index des candidat·es par métier, rayon et case (quelques intervalles de cases par rayon, en
    liste VALUES jointe à l'index couvrant), avec les bornes de niveau, de disponibilité, de contrat et
    d'âge. Python : la distance exacte (une fois par commune), le rayon de chacun·e et le score.
    """
    today = timezone.localdate(now)
    if not facts.published or not facts.trade_active:
        return {}
    location = located(facts.commune_code, "Offre", facts.id)
    if location is None:
        return {}
    age = _age_where(facts, today)
    if age is None:
        return {}
    where, params = age
    if facts.levels:
        where += " AND level IN (" + ", ".join(["%s"] * len(facts.levels)) + ")"
        params += list(facts.levels)
    if facts.start_date:
        where += " AND available_from <= %s"
        params.append(rules.latest_availability(rules.offer_start(facts, today)).isoformat())
    # Les intervalles de cases en liste VALUES, joints à l'index couvrant : une boucle sur les intervalles, un
    # parcours d'index par intervalle, sans lire la table.
    ranges = _cell_ranges(*location)
    sql = ranges_join(
        ("band", "low", "high"),
        len(ranges),
        "commune_code, radius_km, CAST(available_from AS TEXT), candidate_id",
        table_name(CandidateTradeIndex),
        f"trade_id = %s AND radius_band = r.band AND cell BETWEEN r.low AND r.high AND {where}",
    )
    params = [value for band_range in ranges for value in band_range] + [facts.trade_id, *params]
    distance_to_offer = commune_index().distance_from(location)
    # Le niveau est filtré en SQL : « niveau exact » pour toutes les lignes si l'offre nomme des niveaux.
    level_points = rules.level_points(facts.levels[0], facts.levels) if facts.levels else rules.level_points("", ())
    distances, near, starts = {}, {}, {}
    fits = {}
    # La boucle est le chemin chaud : noms locaux, et le tuple du Fit construit sans son constructeur Python.
    new_fit, fit_class, published_at = tuple.__new__, rules.Fit, facts.published_at
    for commune, radius_km, available, candidate_id in fetch_rows(sql, params):
        place = near.get((commune, radius_km))
        if place is None:
            distance = distances.get(commune, -1.0)
            if distance == -1.0:
                distance = distances[commune] = distance_to_offer(commune)
            place = near[commune, radius_km] = _proximity(distance, radius_km)
        if place is False:
            continue
        start = starts.get(available)
        if start is None:
            start = starts[available] = rules.start_points(facts.start_date, _date(available))
        proximity, distance = place
        fits[candidate_id] = new_fit(fit_class, (proximity + level_points + start, distance, published_at))
    return fits


def _proximity(distance: float | None, radius_km: int) -> tuple[float, float] | bool:
    """(points de proximité, distance arrondie) d'une commune à `distance` km ; False hors du rayon ou inconnue."""
    if distance is None or distance > radius_km:
        return False
    return rules.proximity_points(distance, radius_km), round(distance, 1)


def candidate_offer_pool(facts: rules.CandidateFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les offres publiées qui correspondent au profil : {id de l'offre: Fit}.

    SQL : l'index des offres par métier et case (un intervalle de cases par bande de latitude, en liste
    VALUES jointe à l'index couvrant), avec les bornes de niveau, de contrat et de date de début. Python :
    l'âge (une fois par date de début et contrats), la distance exacte (une fois par commune) et le score.
    """
    today = timezone.localdate(now)
    if not facts.searching or not facts.trade_ids or not facts.level or facts.available_from is None:
        return {}
    location = located(facts.commune_code, "Profil", facts.id)
    if location is None:
        return {}
    labels = dict(Trade.objects.filter(pk__in=facts.trade_ids, is_active=True).values_list("pk", "label"))
    if not labels:
        return {}
    ranges = [(trade, first, last) for trade in labels for first, last in cells.cell_ranges(*location, facts.radius_km)]
    sql = ranges_join(
        ("trade", "low", "high"),
        len(ranges),
        "offer_id, commune_code, trade_id, levels, contracts, CAST(start_date AS TEXT), accepts_minors, published_at",
        table_name(OfferIndex),
        "trade_id = r.trade AND cell BETWEEN r.low AND r.high AND (levels = 0 OR (levels & %s) <> 0) "
        "AND (contracts & %s) <> 0 AND (start_date IS NULL OR start_date >= %s)",
    )
    params = [value for trade_range in ranges for value in trade_range]
    # `rules.start_fits` : max(début, aujourd'hui) >= un mois avant la disponibilité ; si aujourd'hui y suffit,
    # toute date de début convient.
    earliest = rules.month_before(facts.available_from)
    params += [
        LEVEL_BITS.get(facts.level, 0),
        contract_mask(facts.contract_types),
        (earliest if earliest > today else datetime.date.min).isoformat(),
    ]
    distance_to_profile = commune_index().distance_from(location)
    ages = {}
    distances = {}
    fits = {}
    for offer_id, commune, trade_id, levels, contracts, start, minors, published_at in fetch_rows(sql, params):
        key = (start, contracts, minors)
        age_ok = ages.get(key)
        if age_ok is None:
            offer = rules.OfferFacts(
                id=0,
                commune_code=None,
                trade_id=trade_id,
                trade_label="",
                contract_types=contract_set(contracts),
                start_date=start and _date(start),
                accepts_minors=bool(minors),
            )
            age_ok = ages[key] = rules.age_fits(facts, offer, None, today) and rules.minor_accepted(
                facts, offer, None, today
            )
        if not age_ok:
            continue
        distance = distances.get(commune, -1.0)
        if distance == -1.0:
            distance = distances[commune] = distance_to_profile(commune)
        if distance is None or distance > facts.radius_km:
            continue
        base = (
            rules.proximity_points(distance, facts.radius_km)
            + rules.level_points(facts.level, level_tuple(levels))
            + rules.start_points(start and _date(start), facts.available_from)
        )
        fits[offer_id] = rules.Fit(base, round(distance, 1), _aware(published_at))
    return fits
