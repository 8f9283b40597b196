"""Le SQL direct de la mise en relation : lire des lignes, en insérer en masse, joindre des intervalles de
cases, et le `COPY` binaire de PostgreSQL lu et écrit en colonnes numpy (horodatages en microsecondes)."""

import datetime
import struct

import numpy as np
from django.db import connection

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 en µs depuis 1970 (origine des horodatages de PostgreSQL)


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


def ranges_join(names: tuple, count: int, columns: str, table: str, condition: str) -> str:
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


# --- Horodatages en microsecondes depuis 1970 ------------------------------------------------------


def microseconds(value: datetime.datetime | None) -> int:
    if value is None:
        return -1
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


def microseconds_sql(column: str) -> str:
    """L'horodatage `column` en microsecondes depuis 1970, calculé en SQL (NULL s'il est vide). Sous SQLite,
    un texte « AAAA-MM-JJ HH:MM:SS[.ffffff] » en UTC."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    return (
        f"CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column} || '.000000', 21, 6) AS INTEGER)"
    )


# --- COPY binaire de PostgreSQL ---------------------------------------------------------------------


def copy_out(query: str, columns: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """COPY binaire de PostgreSQL lu directement en colonnes (`columns` : nom et type numpy de chacune, dans
    l'ordre du SELECT) : sans NULL, chaque ligne a la même longueur (nombre de champs, puis longueur et valeur
    de chacun, en gros-boutiste). Lu par blocs de 64 Mo."""
    fields = []
    for name, kind in columns:
        fields += [(f"{name}_length", ">i4"), (name, ">" + kind if kind != "?" else "?")]
    dtype = np.dtype([("count", ">i2"), *fields])
    parts = {name: [] for name, _ in columns}
    buffer, header = bytearray(), 19  # signature (11), drapeaux (4), extension (4)

    def parse():
        count = len(buffer) // dtype.itemsize
        if count:
            block = np.frombuffer(buffer, dtype=dtype, count=count)
            for name, kind in columns:
                parts[name].append(block[name].astype(kind))
            del block  # plus de vue sur le tampon : il peut rétrécir
            del buffer[: count * dtype.itemsize]

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)") as copy:
        for data in copy:
            buffer.extend(data)
            if header and len(buffer) >= header:
                del buffer[:header]
                header = 0
            if not header and len(buffer) >= 64 << 20:
                parse()
    parse()  # reste : la fin du COPY (-1 sur deux octets)
    return {name: np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype=kind) for name, kind in columns}


def copy_in(table: str, columns: list[tuple[str, str | None, object]], count: int) -> None:
    """COPY binaire de `count` lignes sans NULL dans `table`. `columns` : nom de la colonne, type numpy
    gros-boutiste de sa valeur (None : texte vide) et valeur (un tableau de `count` valeurs ou une seule pour
    toutes les lignes ; un horodatage en microsecondes depuis 2000, voir `PG_EPOCH_US`). Chaque ligne a la même
    longueur : le tableau numpy s'écrit tel quel."""
    fields = [("count", ">i2")]
    for position, (_, kind, _) in enumerate(columns):
        fields.append((f"l{position}", ">i4"))
        if kind is not None:
            fields.append((f"v{position}", kind))
    rows = np.zeros(count, dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for position, (_, kind, values) in enumerate(columns):
        rows[f"l{position}"] = 0 if kind is None else np.dtype(kind).itemsize
        if kind is not None:
            rows[f"v{position}"] = values
    names = ", ".join(connection.ops.quote_name(name) for name, _, _ in columns)
    sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        copy.write(rows.tobytes())
        copy.write(struct.pack(">h", -1))
