"""Grille de cases de 0,1° pour trouver vite, en SQL, les candidat·es proches d'une offre.

Une case est un entier `ligne * COLUMNS + colonne` : les cases d'une même bande de latitude se suivent, et
« les cases qui touchent un cercle » s'écrivent en quelques intervalles (un par bande), que l'index
(métier, rayon, case) parcourt directement.
"""

import math

from geo.distance import KM_PER_DEGREE

CELL_DEGREES = 0.1
COLUMNS = round(360 / CELL_DEGREES)
MARGIN_KM = 0.5


def cell_of(lat: float, lng: float) -> int:
    row = math.floor((lat + 90.0) / CELL_DEGREES)
    column = math.floor((lng + 180.0) / CELL_DEGREES) % COLUMNS
    return row * COLUMNS + column


def cell_ranges(lat: float, lng: float, radius_km: float) -> list[tuple[int, int]]:
    """Intervalles [début, fin] de cases contenant tous les points à `radius_km` km ou moins de (lat, lng).

    Un rectangle par bande de latitude, un peu plus large que le cercle : le tri exact se fait ensuite sur
    la distance.
    """
    padded_radius_km = radius_km + MARGIN_KM
    dlat = padded_radius_km / KM_PER_DEGREE
    first_row = math.floor((lat - dlat + 90.0) / CELL_DEGREES)
    last_row = math.floor((lat + dlat + 90.0) / CELL_DEGREES)
    ranges = []
    for row in range(first_row, last_row + 1):
        # Latitude de la bande la plus éloignée de l'équateur : là où un degré de longitude est le plus court.
        south, north = row * CELL_DEGREES - 90.0, (row + 1) * CELL_DEGREES - 90.0
        widest = max(abs(max(south, lat - dlat)), abs(min(north, lat + dlat)))
        cos_lat = math.cos(math.radians(min(widest, 89.0)))
        dlng = padded_radius_km / (KM_PER_DEGREE * cos_lat)
        first = math.floor((lng - dlng + 180.0) / CELL_DEGREES)
        last = math.floor((lng + dlng + 180.0) / CELL_DEGREES)
        if first < 0 or last >= COLUMNS:  # antiméridien : toute la bande (cas sans intérêt en France)
            first, last = 0, COLUMNS - 1
        ranges.append((row * COLUMNS + first, row * COLUMNS + last))
    return ranges
