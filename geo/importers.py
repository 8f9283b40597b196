"""Import du référentiel géographique : régions, départements, communes et codes postaux.

Deux sources produisent le même `GeoData` : l'instantané CSV (`read_csv_snapshot`) et l'API officielle
geo.api.gouv.fr (`fetch_api_data`, via `geo_data_from_api`). `geo_data_save` l'écrit ensuite en base,
dans une transaction, sans doublon : relancer l'import met à jour ce qui a changé.
"""

import csv
import dataclasses
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection, transaction

from core.text import normalize_search
from geo.distance import commune_index_invalidate
from geo.models import Commune, Departement, PostalCode, Region

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]

BATCH_SIZE = 2000
API_TIMEOUT = 60.0
API_COMMUNE_FIELDS = "code,nom,codesPostaux,centre,codeDepartement,codeRegion,population"


class GeoImportError(Exception):
    """Source illisible ou incomplète : l'import n'a rien écrit."""


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code: str
    name: str
    departement: str
    lat: float | None
    lng: float | None
    population: int


@dataclass
class GeoData:
    """Le référentiel tel que lu dans une source, prêt à être écrit."""

    regions: dict[str, str] = field(default_factory=dict)  # code -> nom
    departements: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (nom, code région)
    communes: dict[str, CommuneRow] = field(default_factory=dict)  # code INSEE -> commune
    postal_codes: set[tuple[str, str]] = field(default_factory=set)  # (code postal, code INSEE)
    skipped: dict[str, int] = field(default_factory=dict)  # motif -> nombre de lignes écartées

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: int = 0  # absents de la source mais encore référencés : conservés

    def __str__(self):
        text = (
            f"{self.created} ajouts, {self.updated} mises à jour, {self.unchanged} sans changement, "
            f"{self.deleted} suppressions"
        )
        if self.kept:
            text += f", {self.kept} absents de la source mais conservés car encore référencés"
        return text


@dataclass
class ImportReport:
    regions: ImportStats
    departements: ImportStats
    communes: ImportStats
    postal_codes: ImportStats


# --- Lecture des sources -------------------------------------------------------------------------


def _float_or_none(value) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _int_or_zero(value) -> int:
    if value is None or value == "":
        return 0
    return int(float(value))


def _is_postal_code(value: str) -> bool:
    return len(value) == 5 and value.isdigit()


def _read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise GeoImportError(f"Fichier introuvable : {path}")
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise GeoImportError(f"Colonnes manquantes dans {path.name} : {', '.join(sorted(missing))}")
        return list(reader)


_DISTRICT_NAME = re.compile(r"^(?P<city>.+?) \d+(?:er|e) Arrondissement$")


def _add_communes_made_of_districts(data: GeoData, rows: list[dict[str, str]], population_column: str | None) -> None:
    """Paris, Marseille et Lyon n'ont, dans l'instantané, que leurs arrondissements (ARM) : chacune est
    reconstituée à partir d'eux (nom, population totale, centre pondéré par la population)."""
    districts: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["commune_type"] == "ARM" and row["insee_parente"] and row["insee_parente"] not in data.communes:
            districts.setdefault(row["insee_parente"], []).append(row)
    for code, parts in districts.items():
        match = _DISTRICT_NAME.match(parts[0]["commune"])
        if not match or parts[0]["insee_dep"] not in data.departements:
            continue
        population = [_int_or_zero(part[population_column]) if population_column else 0 for part in parts]
        located = [
            (float(part["lat"]), float(part["lng"]), max(weight, 1))
            for part, weight in zip(parts, population, strict=True)
            if part["lat"] and part["lng"]
        ]
        total_weight = sum(weight for _, _, weight in located)
        data.communes[code] = CommuneRow(
            code=code,
            name=match.group("city"),
            departement=parts[0]["insee_dep"],
            lat=round(sum(lat * w for lat, _, w in located) / total_weight, 5) if located else None,
            lng=round(sum(lng * w for _, lng, w in located) / total_weight, 5) if located else None,
            population=sum(population),
        )


def read_csv_snapshot(directory: Path | str) -> GeoData:
    """Lit l'instantané CSV (regions.csv, departements.csv, communes.csv, postal_codes.csv).

    Seules les lignes `COM` de communes.csv deviennent des communes ; les codes postaux rattachés à un
    arrondissement (ARM) ou à une commune déléguée (COMD) vont à la commune parente (`insee_parente`) ;
    ce qui ne se rattache à aucune commune est écarté et compté dans `skipped`.
    """
    directory = Path(directory)
    data = GeoData()
    for row in _read_csv(directory / "regions.csv", ("insee_reg", "region")):
        data.regions[row["insee_reg"]] = row["region"]
    for row in _read_csv(directory / "departements.csv", ("insee_dep", "insee_reg", "departement")):
        if row["insee_reg"] not in data.regions:
            data.skip("département d'une région inconnue")
            continue
        data.departements[row["insee_dep"]] = (row["departement"], row["insee_reg"])

    rows = _read_csv(
        directory / "communes.csv",
        ("insee_com", "insee_dep", "commune", "code_postal", "commune_type", "insee_parente", "lat", "lng"),
    )
    population_column = "population_2021" if rows and "population_2021" in rows[0] else None
    parents: dict[str, str] = {}  # code ARM ou COMD -> code de la commune parente
    for row in rows:
        code = row["insee_com"]
        if row["commune_type"] != "COM":
            if row["insee_parente"] and row["insee_parente"] != code:
                parents[code] = row["insee_parente"]
            continue
        if code not in data.communes:
            if row["insee_dep"] not in data.departements:
                data.skip("commune d'un département inconnu")
                continue
            data.communes[code] = CommuneRow(
                code=code,
                name=row.get("commune_article") or row["commune"],
                departement=row["insee_dep"],
                lat=_float_or_none(row["lat"]),
                lng=_float_or_none(row["lng"]),
                population=_int_or_zero(row[population_column]) if population_column else 0,
            )
    _add_communes_made_of_districts(data, rows, population_column)
    # Les communes.csv listent aussi le code postal de chaque arrondissement ou commune déléguée.
    pairs = [(row["code_postal"], row["insee_com"]) for row in rows]
    postal_rows = _read_csv(directory / "postal_codes.csv", ("code_postal", "insee_com"))
    pairs.extend((row["code_postal"], row["insee_com"]) for row in postal_rows)
    parent_codes = set(parents.values())
    missing_parents: dict[str, int] = {}
    for postal_code, code in pairs:
        code = code if code in data.communes else parents.get(code, code)
        if code in data.communes:
            if _is_postal_code(postal_code):
                data.postal_codes.add((postal_code, code))
            else:
                data.skip("code postal invalide")
        elif code in parent_codes:
            missing_parents[code] = missing_parents.get(code, 0) + 1
        else:
            data.skip("code postal d'une commune inconnue")
    if missing_parents:
        codes = ", ".join(sorted(missing_parents))
        reason = f"code postal d'un arrondissement ou d'une commune déléguée dont la commune parente manque : {codes}"
        data.skip(reason, sum(missing_parents.values()))
    return data


def geo_data_from_api(regions: list[dict], departements: list[dict], communes: list[dict]) -> GeoData:
    """Transforme les réponses JSON de geo.api.gouv.fr (/regions, /departements, /communes) en `GeoData`."""
    data = GeoData()
    for item in regions:
        data.regions[item["code"]] = item["nom"]
    for item in departements:
        if item.get("codeRegion") not in data.regions:
            data.skip("département d'une région inconnue")
            continue
        data.departements[item["code"]] = (item["nom"], item["codeRegion"])
    for item in communes:
        code = item["code"]
        if item.get("codeDepartement") not in data.departements:
            data.skip("commune d'un département inconnu")
            continue
        lat = lng = None
        centre = item.get("centre") or {}
        coordinates = centre.get("coordinates") or ()
        if centre.get("type") == "Point" and len(coordinates) >= 2:
            lng, lat = float(coordinates[0]), float(coordinates[1])
        data.communes[code] = CommuneRow(
            code=code,
            name=item["nom"],
            departement=item["codeDepartement"],
            lat=lat,
            lng=lng,
            population=_int_or_zero(item.get("population")),
        )
        for postal_code in item.get("codesPostaux") or ():
            if _is_postal_code(postal_code):
                data.postal_codes.add((postal_code, code))
            else:
                data.skip("code postal invalide")
    return data


def _api_get(client: httpx.Client, url: str, fields: str) -> list[dict]:
    try:
        response = client.get(url, params={"fields": fields, "format": "json"})
        response.raise_for_status()
        payload = response.json()
    except httpx.HTTPError as error:
        raise GeoImportError(f"Échec de l'appel à {url} : {error}") from error
    except ValueError as error:
        raise GeoImportError(f"Réponse illisible de {url} : {error}") from error
    if not isinstance(payload, list):
        raise GeoImportError(f"Réponse inattendue de {url} : une liste était attendue.")
    return payload


def fetch_api_data(*, base_url: str | None = None, client: httpx.Client | None = None) -> GeoData:
    """Télécharge régions, départements et communes depuis geo.api.gouv.fr (ou `base_url`)."""
    base_url = (base_url or settings.GEO_API_URL).rstrip("/")
    own_client = client is None
    if own_client:
        client = httpx.Client(timeout=API_TIMEOUT, follow_redirects=True)
    try:
        regions = _api_get(client, f"{base_url}/regions", "code,nom")
        departements = _api_get(client, f"{base_url}/departements", "code,nom,codeRegion")
        communes = _api_get(client, f"{base_url}/communes", API_COMMUNE_FIELDS)
    finally:
        if own_client:
            client.close()
    try:
        return geo_data_from_api(regions, departements, communes)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise GeoImportError(f"Données de l'API incomplètes : {error!r}") from error


# --- Écriture ------------------------------------------------------------------------------------


def _upsert(model, rows: dict[str, tuple], fields: list[str]) -> ImportStats:
    """Crée ou met à jour les lignes `code -> valeurs de fields` ; ne touche pas aux lignes inchangées."""
    existing = {row[0]: row[1:] for row in model.objects.values_list("code", *fields).iterator()}
    changed = []
    stats = ImportStats()
    for code, values in rows.items():
        current = existing.get(code)
        if current is None:
            stats.created += 1
        elif current == values:
            stats.unchanged += 1
            continue
        else:
            stats.updated += 1
        changed.append(model(code=code, **dict(zip(fields, values, strict=True))))
    model.objects.bulk_create(
        changed, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["code"], update_fields=fields
    )
    return stats


def _delete_unreferenced_communes(codes: set[str], stats: ImportStats) -> None:
    """Supprime les communes disparues de la source, sauf celles qu'une autre donnée référence encore."""
    if not codes:
        return
    referenced = set()
    for relation in Commune._meta.get_fields(include_hidden=True):
        if relation.concrete or not relation.auto_created or relation.related_model is PostalCode:
            continue
        name = relation.field.name
        referenced.update(
            relation.related_model._base_manager.filter(**{f"{name}__in": codes}).values_list(name, flat=True)
        )
    to_delete = codes - referenced
    stats.kept = len(codes & referenced)
    stats.deleted = len(to_delete)
    if to_delete:
        Commune.objects.filter(code__in=to_delete).delete()


def _sync_postal_codes(pairs: set[tuple[str, str]]) -> ImportStats:
    """Ajoute les couples (code postal, commune) nouveaux et supprime ceux qui ont disparu."""
    existing = {(code, commune): pk for pk, code, commune in PostalCode.objects.values_list("pk", "code", "commune")}
    stale = [pk for pair, pk in existing.items() if pair not in pairs]
    new = [PostalCode(code=code, commune_id=commune) for code, commune in pairs - existing.keys()]
    for start in range(0, len(stale), BATCH_SIZE):
        PostalCode.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    PostalCode.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return ImportStats(created=len(new), deleted=len(stale), unchanged=len(existing) - len(stale))


def _analyze() -> None:
    """Met à jour les statistiques du planificateur après un import massif."""
    with connection.cursor() as cursor:
        for model in (Region, Departement, Commune, PostalCode):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def locate_by_postal_code(data: GeoData) -> int:
    """Donne à chaque commune sans coordonnées le centre des communes localisées qui partagent l'un de ses
    codes postaux (sans quoi elle ne serait jamais mise en relation) ; renvoie le nombre de communes ainsi
    localisées. Une commune sans voisine localisée reste sans coordonnées."""
    communes_by_code: dict[str, list[str]] = {}
    for postal_code, commune in data.postal_codes:
        communes_by_code.setdefault(postal_code, []).append(commune)
    codes_by_commune: dict[str, list[str]] = {}
    for postal_code, commune in data.postal_codes:
        codes_by_commune.setdefault(commune, []).append(postal_code)
    located = 0
    for code, row in list(data.communes.items()):
        if row.lat is not None and row.lng is not None:
            continue
        neighbours = {
            other
            for postal_code in codes_by_commune.get(code, ())
            for other in communes_by_code[postal_code]
            if other != code and other in data.communes and data.communes[other].lat is not None
            and data.communes[other].lng is not None
        }  # fmt: skip
        if not neighbours:
            continue
        lat = round(sum(data.communes[other].lat for other in neighbours) / len(neighbours), 6)
        lng = round(sum(data.communes[other].lng for other in neighbours) / len(neighbours), 6)
        data.communes[code] = dataclasses.replace(row, lat=lat, lng=lng)
        located += 1
    return located


def geo_data_save(data: GeoData, *, progress: Progress | None = None) -> ImportReport:
    """Écrit `data` en base dans une transaction, sans doublon, puis invalide l'index des distances.

    Les communes absentes de la source sont supprimées, sauf si une autre donnée (offre, candidat…) y
    renvoie encore. Régions et départements ne sont jamais supprimés.
    """
    progress = progress or logger.info
    if not data.communes:
        raise GeoImportError("La source ne contient aucune commune : import annulé.")
    for reason, count in sorted(data.skipped.items()):
        progress(f"Lignes écartées ({reason}) : {count}")
    by_postal_code = locate_by_postal_code(data)
    if by_postal_code:
        progress(f"Communes sans coordonnées, placées au centre des communes de même code postal : {by_postal_code}")
    with transaction.atomic():
        regions = _upsert(Region, {code: (name,) for code, name in data.regions.items()}, ["name"])
        progress(f"Régions : {len(data.regions)} ({regions})")
        departements = _upsert(
            Departement,
            {code: (name, region) for code, (name, region) in data.departements.items()},
            ["name", "region_id"],
        )
        progress(f"Départements : {len(data.departements)} ({departements})")
        communes = _upsert(
            Commune,
            {
                row.code: (row.name, normalize_search(row.name), row.departement, row.lat, row.lng, row.population)
                for row in data.communes.values()
            },
            ["name", "search_name", "departement_id", "lat", "lng", "population"],
        )
        postal_codes = _sync_postal_codes(data.postal_codes)
        stale = set(Commune.objects.values_list("code", flat=True)) - data.communes.keys()
        _delete_unreferenced_communes(stale, communes)
        located = sum(1 for row in data.communes.values() if row.lat is not None and row.lng is not None)
        progress(f"Communes : {len(data.communes)}, dont {located} localisées ({communes})")
        progress(f"Codes postaux : {len(data.postal_codes)} ({postal_codes})")
    _analyze()
    commune_index_invalidate()
    return ImportReport(regions=regions, departements=departements, communes=communes, postal_codes=postal_codes)


def import_geo_from_csv(directory: Path | str | None = None, *, progress: Progress | None = None) -> ImportReport:
    """Importe l'instantané CSV de `directory` (par défaut `settings.GEO_DATA_DIR`)."""
    progress = progress or logger.info
    directory = Path(directory or settings.GEO_DATA_DIR)
    start = time.monotonic()
    data = read_csv_snapshot(directory)
    progress(f"Lecture de {directory} : {len(data.communes)} communes en {time.monotonic() - start:.1f} s")
    return geo_data_save(data, progress=progress)


def import_geo_from_api(
    *, base_url: str | None = None, client: httpx.Client | None = None, progress: Progress | None = None
) -> ImportReport:
    """Importe le référentiel depuis geo.api.gouv.fr (par défaut `settings.GEO_API_URL`)."""
    progress = progress or logger.info
    start = time.monotonic()
    data = fetch_api_data(base_url=base_url, client=client)
    progress(f"Téléchargement : {len(data.communes)} communes en {time.monotonic() - start:.1f} s")
    return geo_data_save(data, progress=progress)
