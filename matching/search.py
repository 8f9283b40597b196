"""Trouver les paires : les faits des règles, les deux index dénormalisés et les recherches par cases.

- `offer_candidate_pool` : les candidat·es d'une offre ; `candidate_offer_pool` : les offres d'un profil.
  Toutes deux lisent un index par métier et cases de 0,1° (`matching.cells`), filtrent en SQL ce que les
  règles permettent de traduire en bornes (niveau, dates, contrats, âge, mineur·es), puis calculent en
  Python la distance exacte entre communes et le score.
- `*_by_scan` : le même résultat par un parcours complet et `rules.evaluate` (la référence des tests et des
  mesures : les deux doivent donner exactement les mêmes paires).
"""

import datetime
import functools
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from candidates.models import CandidateProfile
from core.enums import RADIUS_BANDS, ContractType, DiplomaLevel, radius_band
from geo.distance import commune_index, distance_km
from matching import cells, rules
from matching.models import CandidateTradeIndex, OfferIndex
from offers.models import Offer
from trades.models import Trade

logger = logging.getLogger(__name__)

BATCH = 2000

# Types de contrat et niveaux en bits, pour les filtrer en SQL (`&`, le même opérateur sur SQLite et PostgreSQL).
CONTRACT_BITS = {ContractType.APPRENTISSAGE.value: 1, ContractType.PROFESSIONNALISATION.value: 2}
LEVEL_BITS = {level.value: 1 << int(level.value) for level in DiplomaLevel}


def contract_mask(values) -> int:
    return functools.reduce(int.__or__, (CONTRACT_BITS[value] for value in values or ()), 0)


@functools.cache
def contract_set(mask: int) -> frozenset:
    return frozenset(value for value, bit in CONTRACT_BITS.items() if mask & bit)


def level_mask(levels) -> int:
    """0 : tous niveaux (offre sans niveau précisé)."""
    return functools.reduce(int.__or__, (LEVEL_BITS[level] for level in levels or ()), 0)


@functools.cache
def level_tuple(mask: int) -> tuple:
    return tuple(level for level, bit in LEVEL_BITS.items() if mask & bit)


def _located(code: str | None, kind: str, pk) -> tuple[float, float] | None:
    """(lat, lng) de la commune d'un profil ou d'une offre ; sans coordonnées, aucune paire (cause journalisée,
    sans donnée personnelle)."""
    location = commune_index().location(code) if code else None
    if location is None:
        logger.warning("%s %s : commune %s sans coordonnées, aucune paire.", kind, pk, code)
    return location


@functools.lru_cache(maxsize=4096)
def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _aware(value):
    """Horodatage lu en SQL direct : SQLite le rend sans fuseau (UTC)."""
    return value.replace(tzinfo=datetime.UTC) if value is not None and value.tzinfo is None else value


# --- Faits pour les règles ------------------------------------------------------------------------


def offer_facts(offer: Offer) -> rules.OfferFacts:
    return rules.OfferFacts(
        id=offer.pk,
        commune_code=offer.commune_id,
        trade_id=offer.trade_id,
        trade_label=offer.trade.label,
        levels=tuple(offer.levels or ()),
        contract_types=frozenset(offer.contract_types or ()),
        start_date=offer.start_date,
        accepts_minors=offer.accepts_minors,
        published=offer.is_matchable,  # en ligne, entreprise vérifiée, mise en relation non suspendue
        published_at=offer.published_at,
        trade_active=offer.trade.is_active,
    )


OFFER_FIELDS = (
    "pk",
    "commune_id",
    "trade_id",
    "trade__label",
    "levels",
    "contract_types",
    "start_date",
    "accepts_minors",
    "published_at",
    "trade__is_active",
)


def offer_facts_from_row(row) -> rules.OfferFacts:
    """Faits d'une offre publiée lue par `values_list(*OFFER_FIELDS)`."""
    pk, commune, trade, label, levels, contracts, start, minors, published_at, trade_active = row
    return rules.OfferFacts(
        id=pk,
        commune_code=commune,
        trade_id=trade,
        trade_label=label,
        levels=tuple(levels or ()),
        contract_types=frozenset(contracts or ()),
        start_date=start,
        accepts_minors=minors,
        published=True,
        published_at=published_at,
        trade_active=trade_active,
    )


def candidate_facts(profile: CandidateProfile, trade_ids, *, searching: bool) -> rules.CandidateFacts:
    return rules.CandidateFacts(
        id=profile.pk,
        commune_code=profile.commune_id,
        radius_km=profile.radius_km,
        trade_ids=frozenset(trade_ids),
        level=profile.level or "",
        contract_types=frozenset(profile.contract_types or ()),
        available_from=profile.available_from,
        birth_date=profile.birth_date,
        age_exception=bool(profile.age_exception),
        job_seeker=bool(profile.job_seeker),
        searching=searching,
    )


# --- Index des candidat·es ------------------------------------------------------------------------

PROFILE_FIELDS = (
    "pk",
    "commune_id",
    "radius_km",
    "level",
    "contract_types",
    "available_from",
    "birth_date",
    "age_exception",
    "job_seeker",
)
INDEX_COLUMNS = (
    "candidate_id",
    "trade_id",
    "commune_code",
    "cell",
    "radius_band",
    "radius_km",
    "level",
    "contracts",
    "available_from",
    "birth_date",
    "availability_age",
    "age_exception",
    "job_seeker",
)


def candidate_index_values(profile_row, trade_ids) -> list[tuple]:
    """Les lignes d'index (valeurs de `INDEX_COLUMNS`) d'un profil en recherche lu par `PROFILE_FIELDS` ;
    aucune s'il est incomplet ou si sa commune n'a pas de coordonnées."""
    pk, commune, radius_km, level, contracts, available_from, birth_date, exception, job_seeker = profile_row
    if not (commune and level and available_from and birth_date):
        return []
    location = _located(commune, "Profil", pk)
    if location is None:
        return []
    cell, band, mask = cells.cell_of(*location), radius_band(radius_km), contract_mask(contracts)
    age = rules.age_on(birth_date, available_from)
    return [
        (pk, trade, commune, cell, band, radius_km, level, mask, available_from, birth_date, age, bool(exception),
         bool(job_seeker))
        for trade in sorted(trade_ids)
    ]  # fmt: skip


def candidate_index_sync(*, profile: CandidateProfile, trade_ids, searching: bool) -> int:
    """Remplace les lignes d'index du profil (aucune s'il ne cherche pas ou est incomplet) ; renvoie leur nombre."""
    CandidateTradeIndex.objects.filter(candidate_id=profile.pk).delete()
    if not searching:
        return 0
    values = candidate_index_values(tuple(getattr(profile, name) for name in PROFILE_FIELDS), trade_ids)
    CandidateTradeIndex.objects.bulk_create(
        [CandidateTradeIndex(**dict(zip(INDEX_COLUMNS, row, strict=True))) for row in values], ignore_conflicts=True
    )
    return len(values)


@transaction.atomic
def candidate_index_rebuild(*, progress=None) -> int:
    """Reconstruit l'index des candidat·es en recherche ; renvoie le nombre de lignes."""
    through = CandidateProfile.trades.through
    CandidateTradeIndex.objects.all().delete()
    trades = defaultdict(list)
    for profile_id, trade_id in through.objects.values_list("candidateprofile_id", "trade_id").iterator(
        chunk_size=BATCH * 10
    ):
        trades[profile_id].append(trade_id)
    profiles = CandidateProfile.objects.searching().values_list(*PROFILE_FIELDS)
    count, rows = 0, []
    for profile in profiles.iterator(chunk_size=BATCH * 10):
        rows += candidate_index_values(profile, trades.get(profile[0], ()))
        if len(rows) >= BATCH * 50:  # écrites par paquets : jamais toutes en mémoire
            insert_rows(CandidateTradeIndex, INDEX_COLUMNS, rows)
            count, rows = count + len(rows), []
    insert_rows(CandidateTradeIndex, INDEX_COLUMNS, rows)
    count += len(rows)
    if progress:
        progress(f"index des candidat·es : {count} lignes")
    return count


# --- Index des offres -----------------------------------------------------------------------------

OFFER_INDEX_COLUMNS = (
    "offer_id",
    "trade_id",
    "commune_code",
    "cell",
    "levels",
    "contracts",
    "start_date",
    "accepts_minors",
    "published_at",
)


def offer_index_values(facts: rules.OfferFacts) -> tuple | None:
    """La ligne d'index (valeurs de `OFFER_INDEX_COLUMNS`) d'une offre publiée, localisée et d'un métier au
    catalogue ; sinon None."""
    if not (facts.published and facts.trade_active and facts.commune_code):
        return None
    location = _located(facts.commune_code, "Offre", facts.id)
    if location is None:
        return None
    return (
        facts.id,
        facts.trade_id,
        facts.commune_code,
        cells.cell_of(*location),
        level_mask(facts.levels),
        contract_mask(facts.contract_types),
        facts.start_date,
        facts.accepts_minors,
        facts.published_at,
    )


def offer_index_sync(*, offer: Offer) -> bool:
    """Met l'offre dans l'index si elle peut correspondre à des profils ; sinon l'en retire."""
    OfferIndex.objects.filter(offer_id=offer.pk).delete()
    values = offer_index_values(offer_facts(offer))
    if values is not None:
        OfferIndex.objects.bulk_create(
            [OfferIndex(**dict(zip(OFFER_INDEX_COLUMNS, values, strict=True)))], ignore_conflicts=True
        )
    return values is not None


@transaction.atomic
def offer_index_rebuild() -> int:
    OfferIndex.objects.all().delete()
    published = Offer.objects.matchable().values_list(*OFFER_FIELDS)
    rows = [
        values
        for row in published.iterator(chunk_size=BATCH * 5)
        if (values := offer_index_values(offer_facts_from_row(row))) is not None
    ]
    insert_rows(OfferIndex, OFFER_INDEX_COLUMNS, rows)
    return len(rows)


# --- Lectures et écritures en SQL direct ----------------------------------------------------------


def fetch_rows(sql: str, params=()) -> list[tuple]:
    """Lignes d'une requête SQL directe (construire la requête par l'ORM coûterait plus que l'exécuter)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table_name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def insert_rows(model, columns, rows) -> None:
    """Insère des lignes (valeurs des `columns`, noms d'attributs du modèle) : COPY sous PostgreSQL,
    executemany sous SQLite."""
    fields = [model._meta.get_field(name) for name in columns]
    table = table_name(model)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapters = [_sqlite_adapter(field) for field in fields]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
            (tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True)) for row in rows),
        )


def _sqlite_adapter(field):
    internal = field.get_internal_type()
    if internal == "DateField":
        return connection.ops.adapt_datefield_value
    if internal == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return lambda value: value


# --- Recherches -----------------------------------------------------------------------------------


def _cell_ranges(lat: float, lng: float) -> list[tuple[int, int, int]]:
    """Pour chaque rayon proposé R, les cases à R km ou moins de (lat, lng), en intervalles : (R, début, fin)."""
    return [(band, first, last) for band in RADIUS_BANDS for first, last in cells.cell_ranges(lat, lng, band)]


def _ranges_join(names: tuple, count: int, columns: str, table: str, condition: str) -> str:
    """SELECT `columns` des lignes de `table` qui vérifient `condition` pour l'un des `count` intervalles de
    cases passés en liste VALUES (`r`) : une boucle sur les intervalles, un parcours d'index couvrant chacun.

    SQLite fait de lui-même cette boucle ; PostgreSQL préférerait parcourir tout le métier puis joindre par
    hachage : LATERAL lui impose la boucle.
    """
    values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * count)
    head = f"WITH r({', '.join(names)}) AS (VALUES {values}) "
    if connection.vendor == "postgresql":  # OFFSET 0 : la sous-requête n'est pas remise à plat dans une jointure
        inner = f"SELECT {columns} FROM {table} WHERE {condition} OFFSET 0"  # noqa: S608
        return f"{head}SELECT c.* FROM r CROSS JOIN LATERAL ({inner}) c"  # noqa: S608
    return f"{head}SELECT {columns} FROM r JOIN {table} ON {condition}"  # noqa: S608


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
    today = timezone.localtime(now).date()
    if not facts.published or not facts.trade_active:
        return {}
    location = _located(facts.commune_code, "Offre", facts.id)
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
    sql = _ranges_join(
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
    today = timezone.localtime(now).date()
    if not facts.searching or not facts.trade_ids or not facts.level or facts.available_from is None:
        return {}
    location = _located(facts.commune_code, "Profil", facts.id)
    if location is None:
        return {}
    labels = dict(Trade.objects.filter(pk__in=facts.trade_ids, is_active=True).values_list("pk", "label"))
    if not labels:
        return {}
    ranges = [(trade, first, last) for trade in labels for first, last in cells.cell_ranges(*location, facts.radius_km)]
    sql = _ranges_join(
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


def offer_candidate_pool_by_scan(facts: rules.OfferFacts, *, now=None) -> dict[int, rules.Fit]:
    """La même chose par un parcours de tous les profils (référence des tests et des mesures)."""
    now = timezone.localtime(now)
    through = CandidateProfile.trades.through
    trades = defaultdict(set)
    for profile_id, trade_id in through.objects.values_list("candidateprofile_id", "trade_id").iterator(
        chunk_size=BATCH * 5
    ):
        trades[profile_id].add(trade_id)
    fits = {}
    for profile in CandidateProfile.objects.searching().iterator(chunk_size=BATCH):
        candidate = candidate_facts(profile, trades.get(profile.pk, ()), searching=True)
        fit = rules.evaluate(candidate, facts, distance_km(candidate.commune_code, facts.commune_code), now)
        if fit is not None:
            fits[candidate.id] = fit
    return fits


def candidate_offer_pool_by_scan(facts: rules.CandidateFacts, *, now=None) -> dict[int, rules.Fit]:
    now = timezone.localtime(now)
    fits = {}
    for row in Offer.objects.matchable().values_list(*OFFER_FIELDS).iterator(chunk_size=BATCH):
        offer = offer_facts_from_row(row)
        fit = rules.evaluate(facts, offer, distance_km(facts.commune_code, offer.commune_code), now)
        if fit is not None:
            fits[offer.id] = fit
    return fits


def public_offer_search(
    commune_code: str, radius_km: float, *, trade_ids=None, level: str = ""
) -> list[tuple[int, float, str]]:
    """Les offres mises en relation (`Offer.objects.matchable`, par leur index) à `radius_km` km ou moins de la
    commune, d'un des métiers `trade_ids` (tous si None) et ouvertes au niveau `level` (tout niveau si vide) :
    [(id de l'offre, distance arrondie, code de sa commune)], les plus proches d'abord.

    La recherche publique, sans profil : ni âge, ni disponibilité, ni contrat ; les mêmes cases, le même index
    et les mêmes distances que `candidate_offer_pool`.
    """
    location = commune_index().location(commune_code)
    if location is None:
        return []
    if trade_ids is not None:
        trade_ids = sorted(trade_ids)
        if not trade_ids:
            return []
    bands = cells.cell_ranges(*location, radius_km)
    condition = "cell BETWEEN r.low AND r.high"
    if level:
        condition += " AND (levels = 0 OR (levels & %s) <> 0)"
    if trade_ids is None:
        names, ranges = ("low", "high"), bands
    else:
        names, ranges = ("trade", "low", "high"), [(trade, first, last) for trade in trade_ids for first, last in bands]
        condition = "trade_id = r.trade AND " + condition
    sql = _ranges_join(names, len(ranges), "offer_id, commune_code", table_name(OfferIndex), condition)
    params = [value for row in ranges for value in row] + ([LEVEL_BITS.get(level, 0)] if level else [])
    distance_to_origin = commune_index().distance_from(location)
    distances = {}
    found = []
    for offer_id, commune in fetch_rows(sql, params):
        distance = distances.get(commune, -1.0)
        if distance == -1.0:
            distance = distances[commune] = distance_to_origin(commune)
        if distance is not None and distance <= radius_km:
            found.append((offer_id, round(distance, 1), commune))
    found.sort(key=lambda row: (row[1], row[0]))
    return found
