"""La carte des résultats, dessinée par le serveur en SVG : ni tuile, ni script, ni service tiers.

Projection locale équirectangulaire centrée sur la commune cherchée (à l'échelle d'un rayon de 200 km au plus,
l'écart avec une vraie projection ne se voit pas) : x vers l'est, y vers le sud, en km, puis mis à l'échelle
pour que le cercle de recherche tienne dans la figure.
"""

import math
from dataclasses import dataclass

from geo.distance import KM_PER_DEGREE, commune_index

SIZE = 320  # côté du carré dessiné (unités SVG)
MARGIN = 14
SCALE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    number: int | None  # numéro dans la liste de la page ; None : offre d'une autre page
    label: str = ""


def _project(origin, location, km_to_units):
    lat0, lng0 = origin
    lat, lng = location
    east = (lng - lng0) * KM_PER_DEGREE * math.cos(math.radians(lat0))
    north = (lat - lat0) * KM_PER_DEGREE
    return round(SIZE / 2 + east * km_to_units, 1), round(SIZE / 2 - north * km_to_units, 1)


def results_map(*, origin_code: str, radius_km: float, found, page_numbers: dict, labels: dict) -> dict | None:
    """Le dessin : le cercle de recherche, la commune cherchée, toutes les offres trouvées (`found` :
    [(id, distance, code commune)]) et, numérotées, celles de la page (`page_numbers` : id -> numéro).

    None si la commune cherchée n'a pas de coordonnées.
    """
    index = commune_index()
    origin = index.location(origin_code)
    if origin is None:
        return None
    radius_units = SIZE / 2 - MARGIN
    km_to_units = radius_units / radius_km
    points, numbered = [], []
    for offer_id, _distance, commune in found:
        location = index.location(commune)
        if location is None:
            continue
        x, y = _project(origin, location, km_to_units)
        number = page_numbers.get(offer_id)
        point = MapPoint(x, y, number, labels.get(offer_id, ""))
        (numbered if number else points).append(point)
    numbered.sort(key=lambda point: -point.number)  # le n° 1 dessiné en dernier, au-dessus des autres
    scale_km = max((step for step in SCALE_STEPS if step <= radius_km / 2), default=1)
    return {
        "size": SIZE,
        "center": SIZE / 2,
        "radius": round(radius_units, 1),
        "others": points,
        "numbered": numbered,
        "scale_km": scale_km,
        "scale_y": SIZE - 8,
        "scale_x2": round(8 + scale_km * km_to_units, 1),
        "scale_text_y": SIZE - 14,
        "label_y": SIZE / 2 - 10,
    }
