"""Les paires enregistrées, lues et écrites en masse : la différence entre les paires calculées d'un paquet de
profils (`bulk.Pairs`) et celles de la table (`sync_pairs`), les paires nouvelles écrites par `COPY` binaire
sous PostgreSQL et par `executemany` sous SQLite, et les index secondaires retirés pendant un premier
remplissage (`FirstFill`)."""

import datetime

import numpy as np
from django.db import connection, transaction

from matching.bulk import Pairs
from matching.enums import MatchState
from matching.models import Match
from matching.sql import PG_EPOCH_US, copy_in, copy_out, microseconds, microseconds_sql, table_name

CHUNK_WRITE = 1_000_000  # paires écrites d'un coup
FIRST_FILL_WITHOUT_INDEXES = 1_000_000  # au-delà, un premier remplissage reconstruit ses index à la fin


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


EXISTING_DTYPE = [("id", "i8"), ("candidate", "i8"), ("offer", "i8"), ("active", "?"), ("by_hand", "?"),
                  ("score", "f8"), ("distance", "f8"), ("created_us", "i8")]  # fmt: skip


def existing_pairs(where: str) -> dict[str, np.ndarray]:
    """Les paires enregistrées qui vérifient `where` (condition SQL sur `candidate_id`, lue par l'index
    d'unicité) : id, clé (profil << 32 | offre), active, proposée à la main, score, distance, créée (µs depuis
    1970)."""
    table = table_name(Match)
    columns = "id, candidate_id, offer_id, is_active, proposed_by_id IS NOT NULL, score, distance_km"
    created = microseconds_sql("created_at")
    if connection.vendor == "postgresql":
        rows = copy_out(f"SELECT {columns}, {created} FROM {table} WHERE {where}", EXISTING_DTYPE)  # noqa: S608
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns}, {created} FROM {table} WHERE {where}")  # noqa: S608
            chunks = []
            while part := cursor.fetchmany(100_000):
                chunks.append(np.array(part, dtype=EXISTING_DTYPE))
        rows = np.concatenate(chunks) if chunks else np.zeros(0, dtype=EXISTING_DTYPE)
    return {
        "id": rows["id"],
        "key": rows["candidate"] << 32 | rows["offer"],
        "active": rows["active"],
        "by_hand": rows["by_hand"],
        "score": rows["score"],
        "distance": rows["distance"],
        "created_us": rows["created_us"],
    }


class FirstFill:
    """Un premier remplissage (table des paires vide au départ) : passé `FIRST_FILL_WITHOUT_INDEXES` paires
    écrites, les index secondaires sont retirés, puis construits une fois à la fin (un tri) plutôt que tenus à
    jour ligne à ligne. Seulement sur une table vide : personne n'attend encore ces paires."""

    def __init__(self):
        self.empty = not Match.objects.exists()
        self.written = 0
        self.dropped = False

    def before_insert(self, count: int) -> None:
        self.written += count
        if self.empty and not self.dropped and self.written >= FIRST_FILL_WITHOUT_INDEXES:
            drop_indexes()
            self.dropped = True


def sync_pairs(pairs: Pairs, where: str, *, now: datetime.datetime, notify: bool, fill: FirstFill | None = None):
    """Écrit la différence entre `pairs` et les paires enregistrées qui vérifient `where` (les mêmes profils) :
    crée les nouvelles, met à jour celles qui ont changé (une paire déjà là garde le score du moment où elle a
    été trouvée), désactive les autres.

    Sous PostgreSQL, tout se fait dans une transaction, la table verrouillée en écriture jusqu'au commit : une
    tâche qui recalcule un profil au même moment attend, puis ne trouve aucun doublon à créer. Sous SQLite,
    les paires nouvelles sont écrites par paquets, un commit chacun : une grosse transaction ralentirait à
    mesure que le journal WAL grossit ; `INSERT OR IGNORE` écarte les doublons.
    """
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table_name(Match)} IN SHARE ROW EXCLUSIVE MODE")
        existing = existing_pairs(where)
        order = np.argsort(existing["key"], kind="stable")
        keys = existing["key"][order]
        wanted = pairs.keys()
        position = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = keys[position] == wanted if len(keys) else np.zeros(len(pairs), dtype=bool)
        at = order[position[found]]
        known = pairs.select(found)
        scores = known.score_at(existing["created_us"][at])
        changed = (
            ~existing["active"][at] | (existing["score"][at] != scores) | (existing["distance"][at] != known.distance)
        )
        update_pairs(existing["id"][at][changed], scores[changed], known.distance[changed], now=now)
        gone = np.ones(len(keys), dtype=bool)
        gone[position[found]] = False
        # Une paire proposée à la main reste (voir `rematch._sync_pairs`).
        stale = existing["id"][order][gone & existing["active"][order] & ~existing["by_hand"][order]]
        deactivate_pairs(stale.tolist(), now=now)
        new = np.flatnonzero(~found)
        del existing, order, keys, position, found, at, known, scores, gone
        # Dans l'ordre (profil, offre) : l'index d'unicité se remplit par la fin, sans pages à réorganiser.
        new = new[np.argsort(wanted[new], kind="stable")]
        if fill is not None:
            fill.before_insert(len(new))
        if postgresql:
            insert_pairs(pairs, new, now=now, alerted=not notify)
    if not postgresql:
        for first in range(0, len(new), CHUNK_WRITE):
            with transaction.atomic():
                insert_pairs(pairs, new[first : first + CHUNK_WRITE], now=now, alerted=not notify)
    return {"created": len(new), "updated": int(changed.sum()), "deactivated": len(stale)}


def create_indexes() -> None:
    """Les index secondaires de la table des paires, s'ils manquent (après un premier remplissage, même
    interrompu)."""
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, Match._meta.db_table)
    if all(index.name in present for index in Match._meta.indexes):
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # clés étrangères vérifiées maintenant (pas d'index sinon)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        build_indexes()


def drop_indexes() -> None:
    """Retire les index secondaires de la table des paires (avant un premier remplissage)."""
    with connection.cursor() as cursor:
        for index in Match._meta.indexes:
            cursor.execute(f"DROP INDEX {_quote(index.name)}")


def build_indexes() -> None:
    """Construit les index secondaires de la table des paires qui manquent, sans autre précaution (voir
    `create_indexes`)."""
    table = table_name(Match)
    with connection.cursor() as cursor:
        for index in Match._meta.indexes:
            columns = ", ".join(_quote(Match._meta.get_field(name).column) for name in index.fields)
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {_quote(index.name)} ON {table} ({columns})")


# Colonnes d'une paire nouvelle ; les autres restent vides (NULL).
NEW_PAIR_COLUMNS = (
    "candidate_id",
    "offer_id",
    "score",
    "distance_km",
    "state",
    "is_active",
    "created_at",
    "updated_at",
    "declined_by",
    "no_interest_reason",
    "candidate_alerted",
    "employer_alerted",
)


def insert_pairs(pairs: Pairs, rows: np.ndarray, *, now: datetime.datetime, alerted: bool) -> None:
    """Crée les paires `pairs[rows]` (état « proposée », active), trouvées à `now`, par paquets."""
    found_us = microseconds(now)
    for first in range(0, len(rows), CHUNK_WRITE):
        part = pairs.select(rows[first : first + CHUNK_WRITE])
        scores = part.score_at(found_us)
        if connection.vendor == "postgresql":
            _copy_pairs(part, scores, now=now, alerted=alerted)
        else:
            _insert_pairs(part, scores, now=now, alerted=alerted)


def _insert_pairs(pairs: Pairs, scores: np.ndarray, *, now: datetime.datetime, alerted: bool) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    constant = (MatchState.PROPOSED.value, True, stamp, stamp, "", "", alerted, alerted)
    table = table_name(Match)
    names = ", ".join(_quote(name) for name in NEW_PAIR_COLUMNS)
    placeholders = ", ".join(["%s"] * len(NEW_PAIR_COLUMNS))
    rows = zip(pairs.candidate.tolist(), pairs.offer.tolist(), scores.tolist(), pairs.distance.tolist(), strict=True)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
            (row + constant for row in rows),
        )


def _copy_pairs(pairs: Pairs, scores: np.ndarray, *, now, alerted: bool) -> None:
    """COPY binaire : les colonnes de `NEW_PAIR_COLUMNS`, dans l'ordre."""
    state = MatchState.PROPOSED.value.encode()
    stamp = microseconds(now) - PG_EPOCH_US
    values = [
        (">i8", pairs.candidate),
        (">i8", pairs.offer),
        (">f8", scores),
        (">f8", pairs.distance),
        (f"S{len(state)}", state),
        ("?", True),
        (">i8", stamp),
        (">i8", stamp),
        (None, ""),  # declined_by
        (None, ""),  # no_interest_reason
        ("?", alerted),
        ("?", alerted),
    ]
    columns = [(name, kind, value) for name, (kind, value) in zip(NEW_PAIR_COLUMNS, values, strict=True)]
    copy_in(table_name(Match), columns, len(pairs))


def update_pairs(ids: np.ndarray, scores: np.ndarray, distances: np.ndarray, *, now) -> None:
    """Réactive les paires `ids` avec leur nouveau score et leur distance."""
    table = table_name(Match)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET is_active = %s, score = %s, distance_km = %s, updated_at = %s WHERE id = %s",  # noqa: S608
            (
                (True, score, distance, stamp, pk)
                for pk, score, distance in zip(ids.tolist(), scores.tolist(), distances.tolist(), strict=True)
            ),
        )


def deactivate_pairs(ids: list[int], *, now) -> None:
    """Les paires `ids` ne correspondent plus : elles restent, inactives (leur état est gardé)."""
    for first in range(0, len(ids), 10_000):
        Match.objects.filter(pk__in=ids[first : first + 10_000]).update(is_active=False, updated_at=now)
