"""Le passé du monde de démonstration : ce qui est arrivé aux paires depuis qu'elles ont été proposées.

Les paires sont celles que les règles trouvent (`matching.bulk.all_fits`, les mêmes que `rematch_all`) ; chacune
reçoit une histoire tirée au hasard (graine fixe) avec des taux et des délais plausibles : réponses du ou de la
jeune et de l'employeur, relance à 7 jours, expiration à 21 jours sans réponse, mise en relation, entretien,
contrat signé ou pas de suite. Une paire naît quand le profil et l'offre existent tous deux, et jamais après
l'expiration de l'offre. Tout se calcule en colonnes numpy, par paquets, puis s'écrit par `COPY` (PostgreSQL)
ou `executemany` (SQLite) : un million de profils et des dizaines de millions de paires restent l'affaire de
quelques minutes.

Deux passes : la première tire les contrats et ne garde qu'un contrat par jeune et pas plus de contrats que
de postes par offre (les premiers signés) ; la seconde, qui retire exactement les mêmes nombres, écrit.
"""

import datetime
import struct
from dataclasses import dataclass

import numpy as np
from django.db import connection

from matching import bulk, pairs_store
from matching.enums import MatchState, NoInterestReason, Side
from matching.models import Match
from matching.sql import PG_EPOCH_US, microseconds, table_name

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
REMINDER_DAYS = 7  # `matching.services.REMINDER_AFTER`
EXPIRE_DAYS = 21  # `matching.services.EXPIRE_AFTER`
CHUNK = 1_000_000
NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Rates:
    """Taux et délais moyens (en jours) de l'histoire d'une paire : ordres de grandeur des services comparables
    (beaucoup d'alertes restent sans réponse, la plupart des contacts ne donnent pas de contrat)."""

    candidate_answers: float = 0.7
    candidate_yes: float = 0.65
    candidate_delay: float = 2.5
    employer_answers: float = 0.65
    employer_yes: float = 0.6
    employer_delay: float = 4.0
    interview: float = 0.65
    interview_delay: float = 6.0
    contract: float = 0.55
    contract_delay: float = 9.0
    no_follow_up: float = 0.6
    no_follow_up_delay: float = 12.0


@dataclass
class World:
    """Ce que l'histoire lit des profils et des offres, en tableaux indexés par identifiant."""

    candidate_created_us: np.ndarray
    offer_published_us: np.ndarray
    offer_expires_us: np.ndarray
    offer_positions: np.ndarray
    protected_candidates: frozenset = frozenset()  # jamais de contrat (compte de démonstration)
    protected_offers: frozenset = frozenset()
    fresh_pairs: frozenset = frozenset()  # (profil, offre) : paire toute récente, encore à répondre


def _exponential(rng, mean: float, size: int) -> np.ndarray:
    return (rng.exponential(mean, size) * DAY_US).astype(np.int64)


def _simulate(pairs: bulk.Pairs, world: World, *, now_us: int, seed: int, chunk: int, rates: Rates) -> dict:
    """L'histoire des paires d'un paquet (déterministe pour la graine et le numéro du paquet)."""
    rng = np.random.default_rng([seed, chunk])
    size = len(pairs)
    born = np.maximum(world.candidate_created_us[pairs.candidate], world.offer_published_us[pairs.offer])
    expires = world.offer_expires_us[pairs.offer]
    created = np.minimum(born + (rng.random(size) * DAY_US).astype(np.int64), now_us - HOUR_US)
    keep = (born < now_us) & (created < expires)
    horizon = np.minimum(expires, now_us)  # après, plus personne ne répond (offre fermée, ou pas encore arrivé)

    def answer(probability, mean):
        answers = rng.random(size) < probability
        at = created + HOUR_US + _exponential(rng, mean, size)
        yes = rng.random(size)
        return np.where(answers & (at < horizon), at, NEVER), yes

    candidate_at, candidate_draw = answer(rates.candidate_answers, rates.candidate_delay)
    employer_at, employer_draw = answer(rates.employer_answers, rates.employer_delay)
    candidate_yes = candidate_draw < rates.candidate_yes
    employer_yes = employer_draw < rates.employer_yes
    # Sans réponse du ou de la jeune ni de l'employeur en 21 jours : expirée (la relance à 7 jours n'a rien donné).
    expiry = created + EXPIRE_DAYS * DAY_US
    expired = (np.minimum(candidate_at, employer_at) > expiry) & (expiry <= now_us)
    candidate_at[expired], employer_at[expired] = NEVER, NEVER
    # Le premier qui répond « non » clôt la paire ; l'autre ne répond plus.
    candidate_first = candidate_at <= employer_at
    first_no = np.where(candidate_first, ~candidate_yes & (candidate_at < NEVER), ~employer_yes & (employer_at < NEVER))
    employer_at[first_no & candidate_first] = NEVER
    candidate_at[first_no & ~candidate_first] = NEVER
    both = (candidate_at < NEVER) & (employer_at < NEVER)
    connected = both & candidate_yes & employer_yes
    second_no = both & ~connected & ~first_no
    connected_at = np.where(connected, np.maximum(candidate_at, employer_at), NEVER)

    interview_at = connected_at + DAY_US + _exponential(rng, rates.interview_delay, size)
    interview = connected & (rng.random(size) < rates.interview) & (interview_at <= now_us)
    contract_at = interview_at + 2 * DAY_US + _exponential(rng, rates.contract_delay, size)
    contract = interview & (rng.random(size) < rates.contract) & (contract_at <= now_us)
    stop_from = np.where(interview, interview_at, connected_at)
    stop_at = stop_from + 3 * DAY_US + _exponential(rng, rates.no_follow_up_delay, size)
    stop = connected & ~contract & (rng.random(size) < rates.no_follow_up) & (stop_at <= now_us)
    reasons = rng.choice(
        [NoInterestReason.PROFILE_MISMATCH, NoInterestReason.POSITION_FILLED, NoInterestReason.TOO_FAR, ""],
        size=size,
        p=[0.45, 0.25, 0.1, 0.2],
    )
    return {
        "keep": keep,
        "created": created,
        "candidate_at": candidate_at,
        "employer_at": employer_at,
        "candidate_yes": candidate_yes,
        "employer_yes": employer_yes,
        "expired": expired,
        "first_no": first_no,
        "candidate_first": candidate_first,
        "second_no": second_no,
        "connected": connected,
        "connected_at": connected_at,
        "interview": interview,
        "interview_at": interview_at,
        "contract": contract & keep,
        "contract_at": contract_at,
        "stop": stop,
        "stop_at": stop_at,
        "reasons": reasons,
    }


def _allowed_contracts(candidates, offers, times, positions, order_key) -> np.ndarray:
    """Parmi les contrats tirés, ceux qui restent : le premier de chaque jeune, puis au plus `positions`
    par offre (dans l'ordre des signatures)."""
    order = np.lexsort((order_key, times))
    candidates, offers, times = candidates[order], offers[order], times[order]
    first_of_candidate = np.zeros(len(order), dtype=bool)
    first_of_candidate[np.unique(candidates, return_index=True)[1]] = True
    kept = np.flatnonzero(first_of_candidate)
    by_offer = np.lexsort((times[kept], offers[kept]))
    sorted_offers = offers[kept][by_offer]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_offers)) + 1]
    rank = np.arange(len(sorted_offers)) - np.repeat(starts, np.diff(np.r_[starts, len(sorted_offers)]))
    allowed_sorted = rank < positions[sorted_offers]
    allowed = np.zeros(len(order), dtype=bool)
    allowed[kept[by_offer][allowed_sorted]] = True
    result = np.zeros(len(order), dtype=bool)
    result[order] = allowed
    return result


def pairs_with_history(
    pairs: bulk.Pairs, world: World, *, now: datetime.datetime, seed: int, rates: Rates = Rates(), log=print
) -> dict:
    """Écrit les paires avec leur histoire dans une table des paires vide ; renvoie les contrats signés
    {"candidates": ids des jeunes, "offers": ids des offres (une fois par contrat)} et des comptes."""
    now_us = microseconds(now)
    order = np.argsort(pairs.keys(), kind="stable")  # ordre (profil, offre) : l'index d'unicité se remplit par la fin
    for name in ("candidate", "offer", "base", "distance", "published_us"):
        setattr(pairs, name, getattr(pairs, name)[order])
    del order
    fresh = np.zeros(len(pairs), dtype=bool)
    protected = np.isin(pairs.candidate, list(world.protected_candidates)) | np.isin(
        pairs.offer, list(world.protected_offers)
    )
    if world.fresh_pairs:
        fresh_keys = np.array([c << 32 | o for c, o in world.fresh_pairs], dtype=np.int64)
        fresh = np.isin(pairs.keys(), fresh_keys)

    # Première passe : les contrats tirés, puis ceux qui restent.
    drawn = []
    for number, first in enumerate(range(0, len(pairs), CHUNK)):
        part = pairs.select(np.arange(first, min(first + CHUNK, len(pairs))))
        story = _simulate(part, world, now_us=now_us, seed=seed, chunk=number, rates=rates)
        signed = np.flatnonzero(story["contract"] & ~protected[first : first + len(part)])
        drawn.append((signed + first, part.candidate[signed], part.offer[signed], story["contract_at"][signed]))
    index, candidates, offers, times = (np.concatenate(column) for column in zip(*drawn, strict=True))
    allowed = _allowed_contracts(candidates, offers, times, world.offer_positions, index)
    signed_pairs = index[allowed]
    found = np.zeros(len(world.candidate_created_us), dtype=bool)
    found[candidates[allowed]] = True

    counts = {state.value: 0 for state in MatchState}
    first_fill = len(pairs) >= pairs_store.FIRST_FILL_WITHOUT_INDEXES
    if first_fill:
        pairs_store.drop_indexes()
    for number, first in enumerate(range(0, len(pairs), CHUNK)):
        rows = np.arange(first, min(first + CHUNK, len(pairs)))
        part = pairs.select(rows)
        story = _simulate(part, world, now_us=now_us, seed=seed, chunk=number, rates=rates)
        story["contract_drawn"] = story["contract"]
        story["contract"] = np.isin(rows, signed_pairs, assume_unique=True)
        columns = _columns(part, story, world, found, fresh[rows], now_us=now_us)
        for state, count in zip(*np.unique(columns["state"], return_counts=True), strict=True):
            counts[state] += int(count)
        _write(columns)
        log(f"  histoire des paires : {min(first + CHUNK, len(pairs))}/{len(pairs)}")
    if first_fill:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # clés étrangères vérifiées maintenant : l'index se crée ensuite
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        pairs_store.build_indexes()
    return {"candidates": np.flatnonzero(found), "offers": offers[allowed], "states": counts}


def _columns(part: bulk.Pairs, story: dict, world: World, found, fresh, *, now_us: int) -> dict:
    """Les colonnes des paires à écrire, d'après leur histoire."""
    s = story
    size = len(part)
    state = np.full(size, MatchState.PROPOSED.value, dtype=object)
    declined_by = np.full(size, "", dtype=object)
    reason = np.full(size, "", dtype=object)
    candidate_answered = s["candidate_at"].copy()
    employer_answered = s["employer_at"].copy()
    connected_at = np.where(s["connected"], s["connected_at"], NEVER)
    outcome_at = np.full(size, NEVER, dtype=np.int64)

    one_yes = ~s["first_no"] & ~s["connected"] & ~s["second_no"]
    state[one_yes & (candidate_answered < NEVER)] = MatchState.CANDIDATE_INTERESTED.value
    state[one_yes & (employer_answered < NEVER)] = MatchState.EMPLOYER_INTERESTED.value
    state[s["expired"]] = MatchState.EXPIRED.value
    closed_by_no = s["first_no"] | s["second_no"]
    state[closed_by_no] = MatchState.NO_FOLLOW_UP.value
    # Qui a dit non : le premier à répondre s'il a dit non, sinon le second.
    candidate_no = ~s["candidate_yes"] & (candidate_answered < NEVER)
    candidate_said_no = np.where(s["first_no"], s["candidate_first"], candidate_no)
    declined_by[closed_by_no & candidate_said_no] = Side.CANDIDATE.value
    employer_no = closed_by_no & ~candidate_said_no
    declined_by[employer_no] = Side.EMPLOYER.value
    reason[employer_no] = s["reasons"][employer_no]

    connected = s["connected"]
    state[connected] = MatchState.CONNECTED.value
    interview = connected & s["interview"]
    state[interview] = MatchState.INTERVIEW.value
    outcome_at[interview] = s["interview_at"][interview]
    # Un contrat tiré mais écarté (le ou la jeune a signé ailleurs, les postes sont pris) : pas de suite.
    stop = connected & ~s["contract"] & (s["stop"] | s["contract_drawn"])
    state[stop] = MatchState.NO_FOLLOW_UP.value
    outcome_at[stop] = np.where(s["contract_drawn"][stop], s["contract_at"][stop], s["stop_at"][stop])
    contract = s["contract"]
    state[contract] = MatchState.CONTRACT_SIGNED.value
    outcome_at[contract] = s["contract_at"][contract]

    # Paires à peine proposées pour les comptes de démonstration : on les montre « à répondre ».
    state[fresh] = MatchState.PROPOSED.value
    created = np.where(fresh, now_us - 2 * DAY_US, s["created"])
    for column in (candidate_answered, employer_answered, connected_at, outcome_at):
        column[fresh] = NEVER
    declined_by[fresh], reason[fresh] = "", ""
    keep = s["keep"] | fresh

    open_state = np.isin(state, [MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED, MatchState.EMPLOYER_INTERESTED])
    # Relancée à 7 jours si elle attendait encore une réponse ce jour-là.
    last_answer = np.maximum(
        np.where(candidate_answered < NEVER, candidate_answered, 0),
        np.where(employer_answered < NEVER, employer_answered, 0),
    )
    decided = np.minimum(connected_at, np.where(closed_by_no, last_answer, NEVER))
    reminder = created + REMINDER_DAYS * DAY_US
    reminded = np.where((reminder <= now_us) & (decided > reminder) & ~fresh, reminder, NEVER)
    expired_at = np.where(state == MatchState.EXPIRED.value, created + EXPIRE_DAYS * DAY_US, NEVER)
    updated = np.maximum.reduce(
        [created]
        + [np.where(column < NEVER, column, 0) for column in (candidate_answered, employer_answered, connected_at,
                                                               outcome_at, reminded, expired_at)]
    )  # fmt: skip
    offer_open = world.offer_expires_us[part.offer] > now_us
    active = offer_open & ~(found[part.candidate] & open_state)
    return {
        "keep": keep,
        "candidate_id": part.candidate,
        "offer_id": part.offer,
        "score": part.score_at(created),
        "distance_km": part.distance,
        "state": state,
        "is_active": active,
        "created_at": created,
        "updated_at": updated,
        "declined_by": declined_by,
        "no_interest_reason": reason,
        "candidate_alerted": np.ones(size, dtype=bool),
        "employer_alerted": np.ones(size, dtype=bool),
        "candidate_answered_at": candidate_answered,
        "employer_answered_at": employer_answered,
        "connected_at": connected_at,
        "outcome_at": outcome_at,
        "reminded_at": reminded,
    }


TIMESTAMPS = ("created_at", "updated_at", "candidate_answered_at", "employer_answered_at", "connected_at",
              "outcome_at", "reminded_at")  # fmt: skip
NULLABLE = TIMESTAMPS[2:]
TEXTS = ("state", "declined_by", "no_interest_reason")
KINDS = {"candidate_id": ">i8", "offer_id": ">i8", "score": ">f8", "distance_km": ">f8", "is_active": "?",
         "candidate_alerted": "?", "employer_alerted": "?"}  # fmt: skip


def _write(columns: dict) -> None:
    keep = columns.pop("keep")
    columns = {name: values[keep] for name, values in columns.items()}
    if connection.vendor == "postgresql":
        _copy(columns)
    else:
        _insert(columns)


def _insert(columns: dict) -> None:
    names = list(columns)
    values = []
    for name in names:
        column = columns[name]
        if name in TIMESTAMPS:
            text = np.char.replace(np.datetime_as_string(np.minimum(column, NEVER - 1).astype("datetime64[us]"),
                                                         unit="us"), "T", " ")  # fmt: skip
            values.append(np.where(column < NEVER, text, None).tolist())
        else:
            values.append(column.tolist())
    table = table_name(Match)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",  # noqa: S608
            zip(*values, strict=True),
        )


def _copy(columns: dict) -> None:
    """COPY binaire par groupe de lignes de même forme (mêmes textes, mêmes dates vides) : dans un groupe,
    chaque ligne a la même longueur et le tableau numpy s'écrit tel quel."""
    present = np.stack([columns[name] < NEVER for name in NULLABLE], axis=1)
    shape = np.zeros(len(columns["state"]), dtype=np.int64)
    for position in range(len(NULLABLE)):
        shape |= present[:, position].astype(np.int64) << position
    texts = np.char.add(np.char.add(columns["state"].astype(str), "|"), columns["declined_by"].astype(str))
    texts = np.char.add(np.char.add(texts, "|"), columns["no_interest_reason"].astype(str))
    groups, inverse = np.unique(np.char.add(np.char.add(texts, "|"), shape.astype(str)), return_inverse=True)
    table = table_name(Match)
    for number, group in enumerate(groups.tolist()):
        rows = np.flatnonzero(inverse == number)
        *text_values, bits = group.split("|")
        bits = int(bits)
        names = [name for name in KINDS] + list(TEXTS) + list(TIMESTAMPS[:2])
        names += [name for position, name in enumerate(NULLABLE) if bits >> position & 1]
        encoded = dict(zip(TEXTS, (value.encode() for value in text_values), strict=True))
        fields = [("count", ">i2")]
        for name in names:
            kind = KINDS.get(name, ">i8")
            if name in TEXTS:
                kind = f"S{len(encoded[name])}" if encoded[name] else None
            fields.append((f"{name}_length", ">i4"))
            if kind:
                fields.append((name, kind))
        data = np.zeros(len(rows), dtype=np.dtype(fields))
        data["count"] = len(names)
        for name in names:
            if name in TEXTS:
                data[f"{name}_length"] = len(encoded[name])
                if encoded[name]:
                    data[name] = encoded[name]
            elif name in TIMESTAMPS:
                data[f"{name}_length"] = 8
                data[name] = columns[name][rows] - PG_EPOCH_US
            else:
                data[f"{name}_length"] = np.dtype(KINDS[name]).itemsize
                data[name] = columns[name][rows]
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        sql = f"COPY {table} ({quoted}) FROM STDIN (FORMAT BINARY)"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            copy.write(data.tobytes())
            copy.write(struct.pack(">h", -1))
