"""La recherche publique d'offres (`/offres`), sans profil : les offres mises en relation autour d'une
commune, par l'index des offres et ses cases (`matching.indexes`, `matching.cells`)."""

from geo.distance import commune_index
from matching import cells
from matching.models import OfferIndex
from matching.rule_facts import LEVEL_BITS
from matching.sql import fetch_rows, ranges_join, table_name


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
    sql = ranges_join(names, len(ranges), "offer_id, commune_code", table_name(OfferIndex), condition)
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
