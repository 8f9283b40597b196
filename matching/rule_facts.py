"""Les faits que lisent les règles (`rules.OfferFacts`, `rules.CandidateFacts`), tirés des modèles ou des
lignes lues par `values_list`, et les types de contrat et niveaux en bits des deux index."""

import functools

from candidates.models import CandidateProfile
from core.enums import ContractType, DiplomaLevel
from matching import rules
from offers.models import Offer

# Types de contrat et niveaux en bits, pour les filtrer en SQL (`&`, le même opérateur sur SQLite et PostgreSQL).
CONTRACT_BITS = {ContractType.APPRENTISSAGE.value: 1, ContractType.PROFESSIONNALISATION.value: 2}
LEVEL_BITS = {level.value: 1 << int(level.value) for level in DiplomaLevel}


def contract_mask(values) -> int:
    return functools.reduce(int.__or__, (CONTRACT_BITS[value] for value in values or ()), 0)


@functools.cache
def contract_set(mask: int) -> frozenset:
    return frozenset(value for value, bit in CONTRACT_BITS.items() if mask & bit)


def level_mask(levels) -> int:
    """0 : tous niveaux (offre sans niveau précisé)."""
    return functools.reduce(int.__or__, (LEVEL_BITS[level] for level in levels or ()), 0)


@functools.cache
def level_tuple(mask: int) -> tuple:
    return tuple(level for level, bit in LEVEL_BITS.items() if mask & bit)


def offer_facts(offer: Offer) -> rules.OfferFacts:
    return rules.OfferFacts(
        id=offer.pk,
        commune_code=offer.commune_id,
        trade_id=offer.trade_id,
        trade_label=offer.trade.label,
        levels=tuple(offer.levels or ()),
        contract_types=frozenset(offer.contract_types or ()),
        start_date=offer.start_date,
        accepts_minors=offer.accepts_minors,
        published=offer.is_matchable,  # en ligne, entreprise vérifiée, mise en relation non suspendue
        published_at=offer.published_at,
        trade_active=offer.trade.is_active,
    )


OFFER_FIELDS = (
    "pk",
    "commune_id",
    "trade_id",
    "trade__label",
    "levels",
    "contract_types",
    "start_date",
    "accepts_minors",
    "published_at",
    "trade__is_active",
)


def offer_facts_from_row(row) -> rules.OfferFacts:
    """Faits d'une offre publiée lue par `values_list(*OFFER_FIELDS)`."""
    pk, commune, trade, label, levels, contracts, start, minors, published_at, trade_active = row
    return rules.OfferFacts(
        id=pk,
        commune_code=commune,
        trade_id=trade,
        trade_label=label,
        levels=tuple(levels or ()),
        contract_types=frozenset(contracts or ()),
        start_date=start,
        accepts_minors=minors,
        published=True,
        published_at=published_at,
        trade_active=trade_active,
    )


def candidate_facts(profile: CandidateProfile, trade_ids, *, searching: bool) -> rules.CandidateFacts:
    return rules.CandidateFacts(
        id=profile.pk,
        commune_code=profile.commune_id,
        radius_km=profile.radius_km,
        trade_ids=frozenset(trade_ids),
        level=profile.level or "",
        contract_types=frozenset(profile.contract_types or ()),
        available_from=profile.available_from,
        birth_date=profile.birth_date,
        age_exception=bool(profile.age_exception),
        job_seeker=bool(profile.job_seeker),
        searching=searching,
    )


# Les champs d'un profil que lit l'index des candidat·es (`values_list(*PROFILE_FIELDS)`).
PROFILE_FIELDS = (
    "pk",
    "commune_id",
    "radius_km",
    "level",
    "contract_types",
    "available_from",
    "birth_date",
    "age_exception",
    "job_seeker",
)
