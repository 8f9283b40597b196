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
from collections.abc import Iterable
from operator import itemgetter

from django.core.cache import cache

from geo.models import Commune

EARTH_RADIUS_KM = 6371.0088
CELL_DEGREES = 0.25
_COLUMNS = round(360 / CELL_DEGREES)

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
        cells: dict[tuple[int, int], list[tuple]] = {}
        for code, lat, lng in points:
            if lat is None or lng is None:
                continue
            self._locations[code] = (lat, lng)
            phi, lam = math.radians(lat), math.radians(lng)
            cos_phi = math.cos(phi)
            # Point sur la sphère unité (pour le tri rapide par corde) et valeurs utiles à l'haversine.
            entry = (code, cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi), phi, lam, cos_phi)
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
        except (TypeError, ValueError):
            return None
        if lat is None or lng is None:
            return None
        return float(lat), float(lng)

    def distance_km(self, a: Origin, b: Origin) -> float | None:
        """Distance en km entre deux communes (ou points) ; None si l'une n'est pas localisée."""
        location_a, location_b = self.location(a), self.location(b)
        if location_a is None or location_b is None:
            return None
        return haversine_km(*location_a, *location_b)

    def within(self, origin: Origin, radius_km: float) -> list[tuple[str, float]]:
        """Communes à `radius_km` km ou moins de `origin`, triées par distance : [(code INSEE, km), …].

        `origin` : code INSEE, commune ou couple (lat, lng). Origine inconnue ou non localisée : [].
        """
        location = self.location(origin)
        if location is None or not radius_km >= 0:  # `not >=` écarte aussi NaN
            return []
        lat0, lng0 = location
        phi0, lam0 = math.radians(lat0), math.radians(lng0)
        cos_phi0 = math.cos(phi0)
        x0, y0, z0 = cos_phi0 * math.cos(lam0), cos_phi0 * math.sin(lam0), math.sin(phi0)
        angle = radius_km / EARTH_RADIUS_KM
        # Corde (sur la sphère unité) du rayon, un peu élargie : le test exact se fait ensuite à l'haversine.
        chord = 2 * math.sin(min(angle, math.pi) / 2)
        max_chord2 = chord * chord * (1 + 1e-9) + 1e-12

        dlat = math.degrees(angle)
        rows = range(math.floor((lat0 - dlat) / CELL_DEGREES), math.floor((lat0 + dlat) / CELL_DEGREES) + 1)
        if lat0 + dlat >= 90 or lat0 - dlat <= -90 or math.sin(angle) >= math.cos(phi0):
            columns = range(_COLUMNS)
        else:
            dlng = math.degrees(math.asin(math.sin(angle) / math.cos(phi0)))
            first = math.floor((lng0 + 180.0 - dlng) / CELL_DEGREES)
            last = math.floor((lng0 + 180.0 + dlng) / CELL_DEGREES)
            columns = range(_COLUMNS) if last - first + 1 >= _COLUMNS else range(first, last + 1)

        cells = self._cells
        asin, sin, sqrt = math.asin, math.sin, math.sqrt
        diameter = 2 * EARTH_RADIUS_KM
        results = []
        append = results.append
        for row in rows:
            for column in columns:
                cell = cells.get((row, column % _COLUMNS))
                if cell is None:
                    continue
                for code, x, y, z, phi, lam, cos_phi in cell:
                    dx, dy, dz = x - x0, y - y0, z - z0
                    if dx * dx + dy * dy + dz * dz > max_chord2:
                        continue
                    # Même calcul, dans le même ordre, que haversine_km(lat0, lng0, lat, lng).
                    s1 = sin((phi - phi0) * 0.5)
                    s2 = sin((lam - lam0) * 0.5)
                    a = s1 * s1 + cos_phi0 * cos_phi * s2 * s2
                    distance = diameter * asin(sqrt(a if a < 1.0 else 1.0))
                    if distance <= radius_km:
                        append((code, distance))
        results.sort(key=itemgetter(1))
        return results


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


def commune_index_invalidate() -> None:
    """Périme l'index dans tous les processus (nouvelle version dans le cache) et dans celui-ci tout de suite."""
    cache.set(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
    commune_index_clear()


def communes_within(origin: Origin, radius_km: float) -> list[tuple[str, float]]:
    """Communes à `radius_km` km ou moins de `origin` (code INSEE, commune ou (lat, lng)), les plus proches d'abord."""
    return commune_index().within(origin, radius_km)


def distance_km(a: Origin, b: Origin) -> float | None:
    """Distance en km entre deux communes ; None si l'une n'est pas localisée."""
    return commune_index().distance_km(a, b)
