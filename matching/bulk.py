"""Les paires en tableaux numpy, par paquets de profils : le moteur de `rematch.rematch_all` et de
`rematch.rematch_candidates` (la tâche quotidienne).

Un paquet (`candidate_ranges` : un intervalle de numéros de profil ; `candidate_list` : des profils choisis)
est calculé (`Engine.fits`), puis comparé à ses seules paires enregistrées et écrit
(`matching.pairs_store.sync_pairs`) avant le suivant : la mémoire dépend de la taille d'un paquet, pas du
nombre total de paires.

Les mêmes règles que `matching.rules`, appliquées à des colonnes plutôt qu'à une paire à la fois :

1. par métier, les communes des candidat·es et celles des offres sont rapprochées par bandes de latitude
   (distances calculées une fois par couple de communes) ;
2. chaque couple de communes assez proches donne les couples (ligne d'index du profil, offre) ;
3. niveau, date de début, contrats, âge et mineur·es, puis le score, sont calculés colonne par colonne.

Les tests comparent ce moteur à `rules.evaluate` paire par paire : mêmes paires, mêmes scores, mêmes distances.
"""

import datetime
import itertools
import math
from dataclasses import dataclass

import numpy as np

from geo.distance import EARTH_RADIUS_KM, KM_PER_DEGREE, commune_index
from matching import rules
from matching.models import CandidateTradeIndex, OfferIndex
from matching.rule_facts import CONTRACT_BITS, LEVEL_BITS
from matching.sql import EPOCH, fetch_rows, microseconds_sql, table_name

APPRENTICESHIP = CONTRACT_BITS["apprentissage"]
PROFESSIONALISATION = CONTRACT_BITS["professionnalisation"]
CHUNK_COMMUNES = 256  # communes de candidat·es comparées d'un coup aux communes d'offres proches
CHUNK_PAIRS = 1_000_000  # couples (profil, offre) examinés d'un coup
# Lignes de l'index des candidat·es par paquet du recalcul complet : environ 40 paires par ligne avec les
# données de démonstration, soit quelques millions de paires (quelques centaines de Mo) par paquet.
ROWS_PER_CHUNK = 100_000


@dataclass
class Pairs:
    """Les paires qui correspondent, en colonnes : profil, offre, score hors fraîcheur, distance arrondie et
    date de publication de l'offre (microsecondes depuis 1970 ; -1 : inconnue)."""

    candidate: np.ndarray
    offer: np.ndarray
    base: np.ndarray
    distance: np.ndarray
    published_us: np.ndarray

    def __len__(self):
        return len(self.candidate)

    def select(self, mask: np.ndarray) -> "Pairs":
        return Pairs(self.candidate[mask], self.offer[mask], self.base[mask], self.distance[mask],
                     self.published_us[mask])  # fmt: skip

    def keys(self) -> np.ndarray:
        return self.candidate.astype(np.int64) << 32 | self.offer.astype(np.int64)

    def score_at(self, found_us: np.ndarray | int) -> np.ndarray:
        """`rules.Fit.score_at`, en colonnes."""
        age_days = np.maximum(0.0, (found_us - self.published_us) / 1e6 / 86400)
        freshness = np.where(
            self.published_us >= 0, rules.FRESH_POINTS * np.maximum(0.0, 1 - age_days / rules.FRESH_DAYS), 0.0
        )
        return py_round(self.base + freshness, 3)


def py_round(values: np.ndarray, digits: int) -> np.ndarray:
    """`round(x, digits)` de Python (arrondi exact de la valeur binaire), que `np.round` ne donne pas toujours
    quand x * 10**digits tombe presque sur une demie."""
    rounded = np.round(values, digits)
    scaled = values * 10**digits
    doubtful = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    if len(doubtful):
        rounded[doubtful] = [round(float(value), digits) for value in values[doubtful]]
    return rounded


def _days(texts) -> np.ndarray:
    """Dates ISO (texte) en jours depuis 1970."""
    return np.array(texts, dtype="datetime64[D]").astype(np.int64)


def _year_month_day(days: np.ndarray):
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years).astype(np.int64) + 1,
        (dates - months).astype(np.int64) + 1,
    )


class _Communes:
    """Les communes localisées, numérotées ; latitude, longitude (radians), cos(latitude) par numéro."""

    def __init__(self):
        self.number: dict[str, int] = {}
        self.lat: list[float] = []
        self.lng: list[float] = []

    def of(self, code: str) -> int:
        number = self.number.get(code)
        if number is None:
            location = commune_index().location(code)
            if location is None:
                return -1
            number = self.number[code] = len(self.lat)
            self.lat.append(location[0])
            self.lng.append(location[1])
        return number

    def numbers(self, codes) -> np.ndarray:
        """Les numéros des communes `codes` (-1 : sans coordonnées), chaque code distinct cherché une fois."""
        distinct, inverse = np.unique(np.array(codes, dtype=str), return_inverse=True)
        return np.array([self.of(str(code)) for code in distinct], dtype=np.int64)[inverse]

    def arrays(self):
        lat = np.array(self.lat, dtype=np.float64)
        phi = np.array([math.radians(value) for value in self.lat], dtype=np.float64)
        lam = np.array([math.radians(value) for value in self.lng], dtype=np.float64)
        cos_phi = np.array([math.cos(value) for value in phi], dtype=np.float64)
        return lat, phi, lam, cos_phi


def _load_candidates(communes: _Communes, where: str):
    rows = fetch_rows(
        "SELECT candidate_id, trade_id, commune_code, radius_km, level, contracts, "  # noqa: S608
        "CAST(available_from AS TEXT), CAST(birth_date AS TEXT), availability_age, age_exception, job_seeker "
        f"FROM {table_name(CandidateTradeIndex)} WHERE {where}"
    )
    if not rows:
        return None
    ids, trades, codes, radius_km, level, contracts, available, birth, availability_age, exception, job_seeker = zip(
        *rows, strict=True
    )
    commune = communes.numbers(codes)
    available_days = _days(available)
    unique_days, inverse = np.unique(available_days, return_inverse=True)
    earliest_start = np.array(
        [_to_days(rules.month_before(_from_days(day))) for day in unique_days.tolist()], dtype=np.int64
    )[inverse]
    birth_year, birth_month, birth_day = _year_month_day(_days(birth))
    columns = {
        "id": np.array(ids, dtype=np.int64),
        "trade": np.array(trades, dtype=np.int64),
        "commune": commune,
        "radius_km": np.array(radius_km, dtype=np.float64),
        "level_bit": np.array([LEVEL_BITS.get(value, 0) for value in level], dtype=np.int64),
        "contracts": np.array(contracts, dtype=np.int64),
        "available": available_days,
        "earliest_start": earliest_start,
        "birth_year": birth_year,
        "birth_md": birth_month * 100 + birth_day,
        "availability_age": np.array(availability_age, dtype=np.int64),
        "exception": np.array([bool(value) for value in exception]),
        "job_seeker": np.array([bool(value) for value in job_seeker]),
    }
    return _located_sorted(columns, "trade", "commune", "radius_km")


def _load_offers(communes: _Communes, today: datetime.date):
    rows = fetch_rows(
        "SELECT offer_id, trade_id, commune_code, levels, contracts, CAST(start_date AS TEXT), "  # noqa: S608
        f"accepts_minors, COALESCE({microseconds_sql('published_at')}, -1) FROM {table_name(OfferIndex)}",
        None,  # sans paramètres : le « % » de strftime reste tel quel
    )
    if not rows:
        return None
    ids, trades, codes, levels, contracts, starts, minors, published = zip(*rows, strict=True)
    commune = communes.numbers(codes)
    has_start = np.array([value is not None for value in starts])
    start = _days([value or "1970-01-01" for value in starts])
    start_day = np.maximum(start, _to_days(today))  # `rules.offer_start` : la date de l'offre, ou aujourd'hui
    start_year, start_month, start_dom = _year_month_day(start_day)
    columns = {
        "id": np.array(ids, dtype=np.int64),
        "trade": np.array(trades, dtype=np.int64),
        "commune": commune,
        "levels": np.array(levels, dtype=np.int64),
        "contracts": np.array(contracts, dtype=np.int64),
        "has_start": has_start,
        "start": start,
        "start_day": start_day,
        "start_year": start_year,
        "start_md": start_month * 100 + start_dom,
        "accepts_minors": np.array([bool(value) for value in minors]),
        "published_us": np.array(published, dtype=np.int64),
    }
    return _located_sorted(columns, "trade", "commune")


def _located_sorted(columns: dict, *keys: str) -> dict:
    """Les lignes dont la commune a des coordonnées, triées par `keys`."""
    order = np.lexsort([columns[key] for key in reversed(keys)])
    order = order[columns["commune"][order] >= 0]
    return {name: values[order] for name, values in columns.items()}


def _to_days(day: datetime.date) -> int:
    return (day - EPOCH.date()).days


def _from_days(days: int) -> datetime.date:
    return EPOCH.date() + datetime.timedelta(days=days)


def _segments(keys: np.ndarray):
    """Débuts et longueurs des suites de valeurs égales d'un tableau trié."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.diff(np.r_[starts, len(keys)])


def _near_communes(c_communes, c_radius_km, o_communes, geo):
    """Couples (commune de candidat·es i, commune d'offres j, distance) à `c_radius_km[i]` km ou moins.

    Communes d'offres triées par latitude ; chaque paquet de communes de candidat·es (triées par latitude)
    n'est comparé qu'à la bande de latitude qu'il peut atteindre. Même formule que `geo.distance.haversine_km`.
    """
    lat, phi, lam, cos_phi = geo
    by_lat = np.argsort(lat[o_communes], kind="stable")
    o_sorted = o_communes[by_lat]
    o_lat = lat[o_sorted]
    c_order = np.argsort(lat[c_communes], kind="stable")
    found_i, found_j, found_d = [], [], []
    for first in range(0, len(c_order), CHUNK_COMMUNES):
        chunk = c_order[first : first + CHUNK_COMMUNES]
        padded_radius_km = c_radius_km[chunk].max() + 1
        lats = lat[c_communes[chunk]]
        low = np.searchsorted(o_lat, lats.min() - padded_radius_km / KM_PER_DEGREE, "left")
        high = np.searchsorted(o_lat, lats.max() + padded_radius_km / KM_PER_DEGREE, "right")
        if low >= high:
            continue
        a, b = c_communes[chunk][:, None], o_sorted[low:high][None, :]
        s1 = np.sin((phi[b] - phi[a]) * 0.5)
        s2 = np.sin((lam[b] - lam[a]) * 0.5)
        h = s1 * s1 + cos_phi[a] * cos_phi[b] * s2 * s2
        distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        rows, columns = np.nonzero(distance <= c_radius_km[chunk][:, None])
        found_i.append(chunk[rows])
        found_j.append(by_lat[low + columns])
        found_d.append(distance[rows, columns])
    if not found_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)


def _expand(sizes: np.ndarray):
    """Pour des groupes de tailles `sizes` : le numéro du groupe et le rang dans le groupe de chaque élément."""
    group = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.cumsum(sizes) - sizes
    return group, np.arange(int(sizes.sum())) - starts[group]


def _trade_pairs(c, o, geo, out):
    """Les paires d'un métier : `c` et `o`, colonnes des lignes d'index du métier (triées par commune, rayon)."""
    g_keys = c["commune"] * 1000 + c["radius_km"].astype(np.int64)  # groupes (commune, rayon)
    g_start, g_size = _segments(g_keys)
    g_commune, g_radius_km = c["commune"][g_start], c["radius_km"][g_start]
    uc_start, uc_size = _segments(g_commune)  # communes de candidat·es -> leurs groupes
    uc_commune = g_commune[uc_start]
    uc_radius_km = np.maximum.reduceat(g_radius_km, uc_start)
    o_start, o_size = _segments(o["commune"])
    i, j, distance = _near_communes(uc_commune, uc_radius_km, o["commune"][o_start], geo)
    # Chaque couple de communes vaut pour les groupes (commune, rayon) dont le rayon couvre la distance.
    pair_group, pair_offers, pair_distance = [], [], []
    for k in range(int(uc_size.max(initial=0))):
        valid = k < uc_size[i]
        group = uc_start[i[valid]] + k
        fits = g_radius_km[group] >= distance[valid]
        pair_group.append(group[fits])
        pair_offers.append(j[valid][fits])
        pair_distance.append(distance[valid][fits])
    group, commune_j, distance = (np.concatenate(values) for values in (pair_group, pair_offers, pair_distance))
    sizes = g_size[group] * o_size[commune_j]
    bounds = np.searchsorted(np.cumsum(sizes), np.arange(CHUNK_PAIRS, int(sizes.sum()), CHUNK_PAIRS), "right")
    for part in np.split(np.arange(len(group)), bounds):
        if len(part):
            _evaluate(c, o, g_start[group[part]], g_size[group[part]], o_start[commune_j[part]],
                      o_size[commune_j[part]], distance[part], out)  # fmt: skip


def _evaluate(c, o, c_first, c_count, o_first, o_count, distance, out):
    """Les règles de `matching.rules`, en colonnes, sur tous les couples (profil du groupe, offre de la commune)."""
    pair, rank = _expand(c_count * o_count)
    ci = c_first[pair] + rank // o_count[pair]
    oi = o_first[pair] + rank % o_count[pair]
    d = distance[pair]
    level_bit, levels = c["level_bit"][ci], o["levels"][oi]
    has_start, start = o["has_start"][oi], o["start"][oi]
    # `rules.age_at_start` : le plus grand de l'âge au début de l'offre et de l'âge à la disponibilité.
    age = np.maximum(
        o["start_year"][oi] - c["birth_year"][ci] - (o["start_md"][oi] < c["birth_md"][ci]), c["availability_age"][ci]
    )
    common = c["contracts"][ci] & o["contracts"][oi]
    apprenticeship = (
        (common & APPRENTICESHIP != 0)
        & (age >= rules.APPRENTICESHIP_MIN_AGE)
        & ((age <= rules.APPRENTICESHIP_MAX_AGE) | c["exception"][ci])
    )
    professionalisation = (
        (common & PROFESSIONALISATION != 0)
        & (age >= rules.PROFESSIONALISATION_MIN_AGE)
        & ((age <= rules.PROFESSIONALISATION_MAX_AGE) | c["job_seeker"][ci])
    )
    keep = (
        ((levels == 0) | (levels & level_bit != 0))  # level_accepted
        & (~has_start | (o["start_day"][oi] >= c["earliest_start"][ci]))  # start_fits
        & (apprenticeship | professionalisation)  # age_fits
        & (o["accepts_minors"][oi] | (age >= rules.MAJORITY_AGE))  # minor_accepted
    )
    ci, oi, d, has_start, start = ci[keep], oi[keep], d[keep], has_start[keep], start[keep]
    proximity = rules.PROXIMITY_POINTS * np.maximum(0.0, 1 - d / np.maximum(c["radius_km"][ci], 1))
    exact = levels[keep] & level_bit[keep] != 0
    level = np.where(exact, float(rules.EXACT_LEVEL_POINTS), float(rules.ANY_LEVEL_POINTS))
    gap = np.abs(start - c["available"][ci])
    start_points = np.where(
        has_start,
        rules.START_POINTS * np.maximum(0.0, 1 - gap / rules.START_WINDOW_DAYS),
        float(rules.ASAP_START_POINTS),
    )
    out.append((c["id"][ci], o["id"][oi], proximity + level + start_points, d, o["published_us"][oi]))


class Engine:
    """Les paires des profils choisis contre toutes les offres de l'index, en colonnes.

    Les offres (quelques centaines de milliers de lignes) sont lues une fois ; les profils le sont par paquets
    (`fits`), pour que la mémoire ne dépende que de la taille d'un paquet, jamais du nombre total de paires.
    """

    def __init__(self, today: datetime.date):
        self.communes = _Communes()
        self.offers = _load_offers(self.communes, today)
        self.trades = {}
        if self.offers is not None:
            starts, sizes = _segments(self.offers["trade"])
            for first, size in zip(starts.tolist(), sizes.tolist(), strict=True):
                self.trades[int(self.offers["trade"][first])] = (first, size)
        self._geo = (0, None)

    def geo(self):
        """Coordonnées des communes numérotées (recalculées seulement si de nouvelles communes sont apparues)."""
        if self._geo[0] != len(self.communes.lat):
            self._geo = (len(self.communes.lat), self.communes.arrays())
        return self._geo[1]

    def fits(self, where: str) -> Pairs:
        """Les paires qui correspondent, pour les lignes de l'index des candidat·es qui vérifient `where` (une
        condition SQL sur `candidate_id`, voir `candidate_ranges` et `candidate_list`)."""
        c = _load_candidates(self.communes, where) if self.offers is not None else None
        out = []
        if c is not None:
            geo = self.geo()
            c_start, c_size = _segments(c["trade"])
            for first, size in zip(c_start.tolist(), c_size.tolist(), strict=True):
                offers = self.trades.get(int(c["trade"][first]))
                if offers is None:
                    continue
                c_part = {name: values[first : first + size] for name, values in c.items()}
                o_part = {name: values[offers[0] : offers[0] + offers[1]] for name, values in self.offers.items()}
                _trade_pairs(c_part, o_part, geo, out)
        if not out:
            empty = np.zeros(0, dtype=np.int64)
            return Pairs(empty, empty, np.zeros(0), np.zeros(0), empty)
        columns = []
        for position in range(5):  # colonne par colonne : la mémoire ne double pas
            columns.append(np.concatenate([part[position] for part in out]))
            for index, part in enumerate(out):
                out[index] = part[:position] + (None,) + part[position + 1 :]
        candidate, offer, base, distance, published = columns
        return Pairs(candidate, offer, base, py_round(distance, 1), published)


def candidate_ranges(rows_per_chunk: int | None = None) -> list[str]:
    """Des intervalles de numéros de profil d'environ `rows_per_chunk` lignes de l'index des candidat·es
    chacun, en conditions SQL sur `candidate_id`. Ils couvrent tous les numéros, y compris ceux des profils
    qui ne sont plus dans l'index (leurs paires enregistrées sont dans l'un des intervalles)."""
    index = table_name(CandidateTradeIndex)
    rows_per_chunk = rows_per_chunk or ROWS_PER_CHUNK
    rows = fetch_rows(
        "SELECT candidate_id FROM (SELECT candidate_id, ROW_NUMBER() OVER (ORDER BY candidate_id) AS n "  # noqa: S608
        f"FROM {index}) ranked WHERE n %% %s = 1 AND n > 1 ORDER BY candidate_id",
        [rows_per_chunk],
    )
    bounds = sorted({row[0] for row in rows})
    if not bounds:
        return ["1 = 1"]
    ranges = [f"candidate_id < {bounds[0]}"]
    ranges += [f"candidate_id >= {low} AND candidate_id < {high}" for low, high in itertools.pairwise(bounds)]
    ranges.append(f"candidate_id >= {bounds[-1]}")
    return ranges


def candidate_list(ids) -> str:
    """La condition SQL « un de ces profils »."""
    return f"candidate_id IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"
