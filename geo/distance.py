"""Distances entre communes, sans PostGIS.

`CommuneIndex` garde en mémoire les coordonnées de toutes les communes localisées, rangées dans une
grille de 0,25° : « les communes à moins de R km de X » ne calcule que les distances des cases voisines.
L'index partagé (`commune_index()`) est construit une fois par processus depuis la base ; `import_geo`
(et toute modification d'une commune) le périme en changeant sa version dans le cache.
"""

import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from operator import itemgetter

from django.core.cache import cache
from django.db import transaction

from geo.models import Commune

EARTH_RADIUS_KM = 6371.0088
# Kilomètres par degré de latitude, arrondi par excès (π × EARTH_RADIUS_KM / 180 = 111,195) : les recherches
# par cases et par bandes de latitude y ajoutent leur marge.
KM_PER_DEGREE = 111.2
CELL_DEGREES = 0.25
_COLUMNS = round(360 / CELL_DEGREES)
# Au-delà (un huitième de tour de la Terre), within() calcule toutes les distances sans la grille.
LARGE_RADIUS_KM = math.pi / 4 * EARTH_RADIUS_KM
_MARGIN_DEGREES = 1e-6  # marge contre les arrondis : une case de trop ne change pas le résultat

Origin = str | Commune | tuple[float | None, float | None]


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance orthodromique en km entre deux points (degrés décimaux)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    s1 = math.sin((phi2 - phi1) * 0.5)
    s2 = math.sin((math.radians(lng2) - math.radians(lng1)) * 0.5)
    a = s1 * s1 + math.cos(phi1) * math.cos(phi2) * s2 * s2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor((lng + 180.0) / CELL_DEGREES) % _COLUMNS


class CommuneIndex:
    """Index spatial en mémoire des communes localisées : code INSEE -> (lat, lng)."""

    def __init__(self, points: Iterable[tuple[str, float, float]]):
        self._locations: dict[str, tuple[float, float]] = {}
        self._halves: dict[str, tuple[float, float, float]] = {}  # code -> (φ/2, λ/2, cos φ)
        cells: dict[tuple[int, int], list[tuple[str, float, float, float]]] = {}  # (code, φ/2, λ/2, cos φ)
        for code, lat, lng in points:
            if lat is None or lng is None:
                continue
            self._locations[code] = (lat, lng)
            phi = math.radians(lat)
            # Demi-angles précalculés : (a - b) * 0.5 == a * 0.5 - b * 0.5 exactement (division par 2).
            entry = (code, phi * 0.5, math.radians(lng) * 0.5, math.cos(phi))
            self._halves[code] = entry[1:]
            cells.setdefault(_cell(lat, lng), []).append(entry)
        self._cells = {key: tuple(entries) for key, entries in cells.items()}

    @classmethod
    def from_db(cls) -> "CommuneIndex":
        """Construit l'index depuis la table des communes."""
        return cls(Commune.objects.located().values_list("code", "lat", "lng").iterator(chunk_size=5000))

    def __len__(self) -> int:
        return len(self._locations)

    def __contains__(self, code) -> bool:
        return code in self._locations

    def location(self, origin: Origin) -> tuple[float, float] | None:
        """(lat, lng) d'un code INSEE, d'une commune ou d'un couple ; None si inconnu ou non localisé."""
        if isinstance(origin, str):
            return self._locations.get(origin)
        if isinstance(origin, Commune):
            return (origin.lat, origin.lng) if origin.is_located else self._locations.get(origin.code)
        try:
            lat, lng = origin
            return (float(lat), float(lng)) if lat is not None and lng is not None else None
        except (TypeError, ValueError):
            return None

    def distance_km(self, a: Origin, b: Origin) -> float | None:
        """Distance en km entre deux communes (ou points) ; None si l'une n'est pas localisée."""
        location_a, location_b = self.location(a), self.location(b)
        if location_a is None or location_b is None:
            return None
        return haversine_km(*location_a, *location_b)

    def distance_from(self, origin: Origin) -> Callable[[str], float | None]:
        """Une fonction code INSEE -> distance en km depuis `origin`, exactement `distance_km(code, origin)`,
        pour calculer beaucoup de distances depuis un même point (sinus et cosinus de l'origine calculés une fois).
        """
        location = self.location(origin)
        if location is None:
            return lambda code: None
        phi0 = math.radians(location[0])
        half_phi0, half_lam0, cos_phi0 = phi0 * 0.5, math.radians(location[1]) * 0.5, math.cos(phi0)
        halves, diameter, asin, sin, sqrt = self._halves, 2 * EARTH_RADIUS_KM, math.asin, math.sin, math.sqrt

        def distance(code: str) -> float | None:
            entry = halves.get(code)
            if entry is None:
                return None
            half_phi, half_lam, cos_phi = entry
            s1, s2 = sin(half_phi - half_phi0), sin(half_lam - half_lam0)
            return diameter * asin(sqrt(min(s1 * s1 + cos_phi * cos_phi0 * s2 * s2, 1.0)))

        return distance

    def within(self, origin: Origin, radius_km: float) -> list[tuple[str, float]]:
        """Communes à `radius_km` km ou moins de `origin`, triées par distance : [(code INSEE, km), …].

        `origin` : code INSEE, commune ou couple (lat, lng). Origine inconnue ou non localisée : [].
        Les distances sont exactement celles de `haversine_km` (et de `distance_km`).
        """
        location = self.location(origin)
        if location is None or not radius_km >= 0:  # écarte aussi NaN
            return []
        lat0, lng0 = location
        if radius_km >= LARGE_RADIUS_KM:  # au-delà, la grille n'aide plus : on calcule tout
            results = [
                (code, distance)
                for code, (lat, lng) in self._locations.items()
                if (distance := haversine_km(lat0, lng0, lat, lng)) <= radius_km
            ]
            results.sort(key=itemgetter(1))
            return results
        phi0, lam0 = math.radians(lat0), math.radians(lng0)
        cos_phi0, half_phi0, half_lam0 = math.cos(phi0), phi0 * 0.5, lam0 * 0.5
        diameter = 2 * EARTH_RADIUS_KM
        asin, sin, sqrt = math.asin, math.sin, math.sqrt
        cells = self._cells
        results = []
        for key in self._scanned_cells(lat0, lng0, radius_km):
            cell = cells.get(key)
            if cell is None:
                continue
            # Même calcul, dans le même ordre, que haversine_km(lat0, lng0, lat, lng) ; sous LARGE_RADIUS_KM,
            # a reste loin de 1 et le min(a, 1.0) de haversine_km est sans effet.
            results += [
                (code, distance)
                for code, half_phi, half_lam, cos_phi in cell
                if (
                    distance := diameter
                    * asin(
                        sqrt(
                            (s1 := sin(half_phi - half_phi0)) * s1
                            + cos_phi0 * cos_phi * (s2 := sin(half_lam - half_lam0)) * s2
                        )
                    )
                )
                <= radius_km
            ]
        results.sort(key=itemgetter(1))
        return results

    def _scanned_cells(self, lat0: float, lng0: float, radius_km: float) -> Iterable[tuple[int, int]]:
        """Cases de la grille qui touchent le cercle : pour chaque rangée, la largeur exacte du cercle."""
        angle = radius_km / EARTH_RADIUS_KM
        dlat = math.degrees(angle) + _MARGIN_DEGREES
        first_row = math.floor((lat0 - dlat) / CELL_DEGREES)
        last_row = math.floor((lat0 + dlat) / CELL_DEGREES)
        if lat0 + dlat >= 90 or lat0 - dlat <= -90:  # le cercle contient un pôle
            for row in range(first_row, last_row + 1):
                yield from ((row, column) for column in range(_COLUMNS))
            return
        phi0 = math.radians(lat0)
        sin_phi0, cos_phi0, cos_angle = math.sin(phi0), math.cos(phi0), math.cos(angle)
        # Latitude où le cercle est le plus large (en longitude).
        widest = math.degrees(math.asin(max(-1.0, min(1.0, sin_phi0 / cos_angle))))

        def half_width(lat: float) -> float:
            """Demi-largeur du cercle en longitude (degrés) sur le parallèle `lat`."""
            phi = math.radians(lat)
            cos_width = (cos_angle - sin_phi0 * math.sin(phi)) / (cos_phi0 * math.cos(phi))
            return math.degrees(math.acos(max(-1.0, min(1.0, cos_width))))

        for row in range(first_row, last_row + 1):
            low = max(row * CELL_DEGREES, lat0 - dlat)
            high = min((row + 1) * CELL_DEGREES, lat0 + dlat)
            lats = (low, high, widest) if low < widest < high else (low, high)
            width = max(half_width(lat) for lat in lats) + _MARGIN_DEGREES
            first = math.floor((lng0 + 180.0 - width) / CELL_DEGREES)
            last = math.floor((lng0 + 180.0 + width) / CELL_DEGREES)
            columns = range(_COLUMNS) if last - first + 1 >= _COLUMNS else range(first, last + 1)
            yield from ((row, column % _COLUMNS) for column in columns)


# --- Index partagé par le processus --------------------------------------------------------------

VERSION_CACHE_KEY = "geo:commune_index:version"
# Délai entre deux vérifications de la version dans le cache (un aller-retour Redis par appel coûterait cher).
VERSION_CHECK_SECONDS = 5.0

_lock = threading.Lock()
_shared: dict = {"index": None, "version": None, "checked_at": 0.0}


def _current_version() -> str:
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        cache.add(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_CACHE_KEY)
    return version


def commune_index() -> CommuneIndex:
    """L'index des communes du processus, reconstruit si la base a changé (voir `commune_index_invalidate`)."""
    index, now = _shared["index"], time.monotonic()
    if index is not None and now - _shared["checked_at"] < VERSION_CHECK_SECONDS:
        return index
    with _lock:
        version = _current_version()
        if _shared["index"] is None or _shared["version"] != version:
            _shared["index"] = CommuneIndex.from_db()
            _shared["version"] = version
        _shared["checked_at"] = now
        return _shared["index"]


def commune_index_clear() -> None:
    """Oublie l'index de ce processus (il sera reconstruit au prochain appel)."""
    with _lock:
        _shared["index"] = None


def communes_version() -> str:
    """La version des communes, qui change à chaque modification (import, admin) : une clé de cache."""
    return _current_version()


def _bump_version() -> None:
    cache.set(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)


def commune_index_invalidate() -> None:
    """Périme l'index dans tous les processus (nouvelle version dans le cache) et dans celui-ci tout de suite.

    La version change aussi après le commit : un autre processus qui aurait relu la base entre-temps
    reconstruira son index avec les données validées.
    """
    _bump_version()
    commune_index_clear()
    transaction.on_commit(_bump_version)


# Dernières zones demandées par code INSEE et rayon, par index (une recherche répétée ne recalcule rien).
WITHIN_CACHE_SIZE = 256
_within_cache: dict = {"index": None, "zones": {}}


def communes_within(origin: Origin, radius_km: float) -> list[tuple[str, float]]:
    """Communes à `radius_km` km ou moins de `origin` (code INSEE, commune ou (lat, lng)), les plus proches d'abord."""
    index = commune_index()
    if not isinstance(origin, str):
        return index.within(origin, radius_km)
    if _within_cache["index"] is not index:
        _within_cache.update(index=index, zones={})
    zones, key = _within_cache["zones"], (origin, radius_km)
    zone = zones.get(key)
    if zone is None:
        if len(zones) >= WITHIN_CACHE_SIZE:
            zones.clear()
        zone = zones[key] = tuple(index.within(origin, radius_km))
    return list(zone)


def distance_km(a: Origin, b: Origin) -> float | None:
    """Distance en km entre deux communes ; None si l'une n'est pas localisée."""
    return commune_index().distance_km(a, b)
