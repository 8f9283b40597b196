"""Lectures des offres publiques : lesquelles sont montrées, et leurs champs publics (API, flux, export JSON
Lines, données structurées de la page d'une offre) ; l'offre d'un membre de son établissement et ce que dit la
loi pour elle (les pages de l'employeur)."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.enums import ContractType, DiplomaLevel
from offers import legal
from offers.models import Offer
from trades.catalogue import FAMILY_LABELS


def public_offers():
    """Les offres publiques : celles qui sont mises en relation (en ligne, entreprise vérifiée, mise en relation
    non suspendue) ; l'offre d'une entreprise non vérifiée n'est montrée nulle part."""
    return Offer.objects.matchable().select_related("company", "commune", "trade")


OFFERS_VERSION_KEY = "offres:version"


def offers_version() -> str:
    """La version des offres publiques, qui change après chaque changement d'une offre ou de la vérification d'une
    entreprise (`offers.receivers`) : une clé de cache partagée par tous les processus."""
    version = cache.get(OFFERS_VERSION_KEY)
    if version is None:
        cache.add(OFFERS_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(OFFERS_VERSION_KEY)
    return version


def offers_version_bump() -> None:
    cache.set(OFFERS_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def offer_url(offer_id: int) -> str:
    return f"{settings.SITE_URL}/offres/{offer_id}"


def offer_payload(offer: Offer, distance_km: float | None = None) -> dict:
    """Les champs publics d'une offre (aucune donnée personnelle) ; repris par l'export JSON Lines."""
    trade = offer.trade
    return {
        "id": offer.pk,
        "entreprise": offer.company.name,
        "commune": {"code": offer.commune.code, "nom": offer.commune.name, "departement": offer.commune.departement_id},
        "distance_km": round(distance_km, 1) if distance_km is not None else None,
        "metier": {
            "code": trade.code,
            "libelle": trade.label,
            "famille": trade.family,
            "famille_libelle": FAMILY_LABELS.get(trade.family, trade.family),
            "codes_rome": list(trade.rome_codes),
        },
        "niveaux": [
            {"code": level, "libelle": DiplomaLevel(level).label} for level in offer.levels if level in DiplomaLevel
        ],
        "types_contrat": [
            {"code": kind, "libelle": ContractType(kind).label} for kind in offer.contract_types if kind in ContractType
        ],
        "debut": offer.start_date,
        "postes": max(offer.positions - offer.filled_positions, 0),
        "publiee_le": offer.published_at,
        "url": offer_url(offer.pk),
    }


def member_offer(user, pk) -> Offer:
    """L'offre, si la personne est membre de son établissement ; 404 sinon. `for_member` filtre par une
    sous-requête (une ligne par offre) : pas de DISTINCT, qui trierait toutes les colonnes, description comprise."""
    return get_object_or_404(Offer.objects.for_member(user).select_related("company", "trade", "commune"), pk=pk)


def legal_context(offer: Offer) -> dict:
    """Ce que dit la loi pour cette offre (voir offers/legal.py) : les montants en vigueur le jour où le contrat
    commencerait, dans le département de l'offre."""
    today = timezone.localdate()
    start = max(offer.start_date or today, today)
    departement = offer.commune.departement_id if offer.commune_id else legal.ALL_FRANCE
    smic = legal.smic_on(start, departement)
    aid = legal.hiring_aid_by_level(
        levels=offer.levels, under_250=offer.company.under_250, concluded_on=today, starts_on=start
    )
    aid_fact = legal.hiring_aid_on(today)
    return {
        "pay_table": legal.minimum_pay_table(day=start, departement=departement),
        "pay_day": start,
        "smic": smic.value if smic else None,
        "smic_source": smic.source if smic else "",
        "pay_source": legal.fact_on("pay_percents", start).source,
        "hiring_aid": [(DiplomaLevel(level).label, amount) for level, amount in aid],
        "hiring_aid_disabled_max": aid_fact.value.disabled_max if aid_fact else None,
        "hiring_aid_fact": aid_fact,
        "minor_rules": (
            legal.minor_rules(night_or_early_work=offer.night_or_early_work, trade_code=offer.trade.code)
            if offer.accepts_minors
            else []
        ),
        "minors_source": legal.MINORS_SOURCE,
    }
