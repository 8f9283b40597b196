"""Lectures des pages publiques : la recherche d'offres sans compte et ce que disent les cartes."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.enums import ContractType
from matching import rule_facts, rules
from offers import legal
from offers.enums import OfferStatus
from offers.models import Offer
from offers.selectors import public_offers

GONE_STATUSES = (OfferStatus.EXPIRED, OfferStatus.FILLED, OfferStatus.ARCHIVED)


@dataclass
class OfferCard:
    offer: Offer
    number: int
    distance_km: float
    reasons: list[str]


def card_reasons(offer: Offer, *, distance_km: float, trade_searched: bool, level: str) -> list[str]:
    """Les raisons d'une carte, avec les textes des règles (`matching.rules`) : la distance, le métier s'il
    était cherché, le niveau, le début et les contrats proposés (sans profil, l'âge n'est pas jugé)."""
    offer_facts = rule_facts.offer_facts(offer)
    facts = rules.CandidateFacts(
        id=0,
        commune_code=None,
        radius_km=0,
        trade_ids=frozenset(),
        level=level or "",
        contract_types=frozenset(),
        available_from=None,
        birth_date=None,
    )
    texts = [rules.distance_text(distance_km)]
    if trade_searched:
        texts.append(f"même métier : {offer.trade.label}")
    texts += [rules.level_text(facts, offer_facts), rules.start_text(offer_facts)]
    labels = [ContractType(value).label.replace("Contrat", "contrat") for value in sorted(offer.contract_types)]
    if labels:
        texts.append(" ou ".join(labels))
    return texts


def search_cards(found, *, first_number: int, trade_searched: bool, level: str) -> list[OfferCard]:
    """Les cartes d'une page de résultats (`found` : [(id, distance, commune)]), en une requête."""
    by_id = public_offers().in_bulk([offer_id for offer_id, _distance, _commune in found])
    cards = []
    for offset, (offer_id, distance, _commune) in enumerate(found):
        offer = by_id.get(offer_id)
        if offer is None:  # dépubliée depuis la mise à jour de l'index
            continue
        reasons = card_reasons(offer, distance_km=distance, trade_searched=trade_searched, level=level)
        cards.append(OfferCard(offer, first_number + offset, distance, reasons))
    return cards


def public_offer_or_gone(pk: int) -> tuple[Offer | None, bool]:
    """(l'offre publique, False) ; (None, True) si elle a existé et n'est plus en ligne (expirée, pourvue,
    archivée : 410) ; (None, False) si elle n'a jamais été publique (404)."""
    offer = public_offers().filter(pk=pk).first()
    if offer is not None:
        return offer, False
    gone = Offer.objects.filter(pk=pk, status__in=GONE_STATUSES, published_at__isnull=False).exists()
    return None, gone


def salary_floor(offer: Offer, today: datetime.date | None = None):
    """Le plus petit salaire brut mensuel légal d'un·e apprenti·e pour cette offre (`offers.legal`) : 1re année,
    la tranche d'âge la plus jeune que l'offre accepte, le SMIC du jour où le contrat peut commencer dans le
    département de l'offre. None sans contrat d'apprentissage ou si ce SMIC n'est pas connu."""
    if ContractType.APPRENTISSAGE not in offer.contract_types:
        return None
    today = today or timezone.localdate()
    start = max(offer.start_date or today, today)
    youngest = rules.APPRENTICESHIP_MIN_AGE if offer.accepts_minors else rules.MAJORITY_AGE
    return legal.minimum_monthly_pay(age=youngest, contract_year=1, day=start, departement=offer.commune.departement_id)
