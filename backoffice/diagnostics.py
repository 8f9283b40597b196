"""Pourquoi un·e candidat·e n'a aucune mise en relation, pourquoi une offre n'a personne.

Diagnostics simples, calculés en mémoire pour une liste entière avec un nombre fixe de requêtes :
métier, distance, niveau, type de contrat, âge.
"""

import datetime

from candidates.models import CandidateProfile
from core.enums import DiplomaLevel
from geo.distance import haversine_km
from matching.rules import month_before
from offers.models import Offer


def _distance(a_lat, a_lng, b_lat, b_lng):
    if None in (a_lat, a_lng, b_lat, b_lng):
        return None
    return haversine_km(a_lat, a_lng, b_lat, b_lng)


def _compatible_contract(a, b):
    return not a or not b or bool(set(a) & set(b))


def _start_fits(available_from, start_date):
    """Même règle que `matching.rules.start_fits` : l'offre commence au plus tôt un mois avant la disponibilité."""
    if available_from is None:
        return False
    return start_date is None or start_date >= month_before(available_from)


def _is_minor(birth_date, today):
    if birth_date is None:
        return False
    years = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return years < 18


def candidates_reasons(candidates) -> dict[int, str]:
    """{id du profil : raison} ; les profils doivent avoir `trades` préchargés et `commune` joint."""
    trade_ids = {trade.pk for candidate in candidates for trade in candidate.trades.all()}
    offers = list(
        Offer.objects.published()
        .filter(trade_id__in=trade_ids)
        .values("trade_id", "commune__lat", "commune__lng", "levels", "contract_types", "accepts_minors", "start_date")
    )
    today = datetime.date.today()
    reasons = {}
    for candidate in candidates:
        trades = {trade.pk for trade in candidate.trades.all()}
        if not trades:
            reasons[candidate.pk] = "Aucun métier choisi dans son profil."
            continue
        in_trade = [offer for offer in offers if offer["trade_id"] in trades]
        if not in_trade:
            reasons[candidate.pk] = "Aucune offre publiée dans ses métiers."
            continue
        distances = [
            (_distance(candidate.commune.lat, candidate.commune.lng, o["commune__lat"], o["commune__lng"]), o)
            for o in in_trade
        ]
        near = [o for d, o in distances if d is not None and d <= candidate.radius_km]
        if not near:
            known = [d for d, _ in distances if d is not None]
            closest = f" (la plus proche à {round(min(known))} km)" if known else ""
            reasons[candidate.pk] = f"Aucune offre de ses métiers à moins de {candidate.radius_km} km{closest}."
            continue
        level_ok = [o for o in near if not o["levels"] or candidate.level in o["levels"]]
        if not level_ok:
            label = DiplomaLevel(candidate.level).short_label if candidate.level in DiplomaLevel.values else "?"
            reasons[candidate.pk] = f"Les offres proches ne prennent pas son niveau ({label})."
            continue
        contract_ok = [o for o in level_ok if _compatible_contract(candidate.contract_types, o["contract_types"])]
        if not contract_ok:
            reasons[candidate.pk] = "Les offres proches proposent un autre type de contrat."
            continue
        dates_ok = [o for o in contract_ok if _start_fits(candidate.available_from, o["start_date"])]
        if not dates_ok:
            reasons[candidate.pk] = "Les offres proches commencent trop tôt pour sa date de disponibilité."
            continue
        contract_ok = dates_ok
        if _is_minor(candidate.birth_date, today) and not any(o["accepts_minors"] for o in contract_ok):
            reasons[candidate.pk] = "Les offres proches n'acceptent pas les mineur·es."
            continue
        reasons[candidate.pk] = "Des offres compatibles existent : proposez une mise en relation à la main."
    return reasons


def offers_reasons(offers) -> dict[int, str]:
    """{id de l'offre : raison} ; les offres doivent avoir `commune` joint."""
    trade_ids = {offer.trade_id for offer in offers}
    candidates = list(
        CandidateProfile.objects.searching()
        .filter(trades__in=trade_ids)
        .values(
            "trades",
            "commune__lat",
            "commune__lng",
            "radius_km",
            "level",
            "contract_types",
            "birth_date",
            "available_from",
        )
    )
    today = datetime.date.today()
    reasons = {}
    for offer in offers:
        in_trade = [c for c in candidates if c["trades"] == offer.trade_id]
        if not in_trade:
            reasons[offer.pk] = "Personne ne cherche ce métier pour l'instant."
            continue
        near = []
        for c in in_trade:
            distance = _distance(offer.commune.lat, offer.commune.lng, c["commune__lat"], c["commune__lng"])
            if distance is not None and distance <= c["radius_km"]:
                near.append(c)
        if not near:
            reasons[offer.pk] = "Aucun·e candidat·e de ce métier n'habite assez près."
            continue
        level_ok = [c for c in near if not offer.levels or c["level"] in offer.levels]
        if not level_ok:
            reasons[offer.pk] = "Les candidat·es proches préparent un autre niveau de diplôme."
            continue
        contract_ok = [c for c in level_ok if _compatible_contract(c["contract_types"], offer.contract_types)]
        if not contract_ok:
            reasons[offer.pk] = "Les candidat·es proches cherchent un autre type de contrat."
            continue
        dates_ok = [c for c in contract_ok if _start_fits(c["available_from"], offer.start_date)]
        if not dates_ok:
            reasons[offer.pk] = "Les candidat·es proches ne sont disponibles que plus tard."
            continue
        contract_ok = dates_ok
        if not offer.accepts_minors and all(_is_minor(c["birth_date"], today) for c in contract_ok):
            reasons[offer.pk] = "L'offre n'accepte pas les mineur·es, et les candidat·es proches le sont."
            continue
        reasons[offer.pk] = "Des candidat·es compatibles existent : proposez une mise en relation à la main."
    return reasons
