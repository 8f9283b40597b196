"""Les deux index dénormalisés que lisent les recherches : une ligne par profil en recherche et par métier
(`CandidateTradeIndex`), une ligne par offre mise en relation (`OfferIndex`), chacune avec la case de 0,1° de
sa commune (`matching.cells`). Mis à jour profil par profil ou offre par offre (`*_sync`), ou reconstruits
entiers (`*_rebuild`)."""

import logging
from collections import defaultdict

from django.db import transaction

from candidates.models import CandidateProfile
from core.enums import radius_band
from geo.distance import commune_index
from matching import cells, rules
from matching.models import CandidateTradeIndex, OfferIndex
from matching.rule_facts import (
    OFFER_FIELDS,
    PROFILE_FIELDS,
    contract_mask,
    level_mask,
    offer_facts,
    offer_facts_from_row,
)
from matching.sql import insert_rows
from offers.models import Offer
from offers.selectors import offers_version_bump

logger = logging.getLogger(__name__)

BATCH = 2000


def located(code: str | None, kind: str, pk) -> tuple[float, float] | None:
    """(lat, lng) de la commune d'un profil ou d'une offre ; sans coordonnées, aucune paire (cause journalisée,
    sans donnée personnelle)."""
    location = commune_index().location(code) if code else None
    if location is None:
        logger.warning("%s %s : commune %s sans coordonnées, aucune paire.", kind, pk, code)
    return location


# --- Index des candidat·es ------------------------------------------------------------------------

INDEX_COLUMNS = (
    "candidate_id",
    "trade_id",
    "commune_code",
    "cell",
    "radius_band",
    "radius_km",
    "level",
    "contracts",
    "available_from",
    "birth_date",
    "availability_age",
    "age_exception",
    "job_seeker",
)


def candidate_index_values(profile_row, trade_ids) -> list[tuple]:
    """Les lignes d'index (valeurs de `INDEX_COLUMNS`) d'un profil en recherche lu par `PROFILE_FIELDS` ;
    aucune s'il est incomplet ou si sa commune n'a pas de coordonnées."""
    pk, commune, radius_km, level, contracts, available_from, birth_date, exception, job_seeker = profile_row
    if not (commune and level and available_from and birth_date):
        return []
    location = located(commune, "Profil", pk)
    if location is None:
        return []
    cell, band, mask = cells.cell_of(*location), radius_band(radius_km), contract_mask(contracts)
    age = rules.age_on(birth_date, available_from)
    return [
        (pk, trade, commune, cell, band, radius_km, level, mask, available_from, birth_date, age, bool(exception),
         bool(job_seeker))
        for trade in sorted(trade_ids)
    ]  # fmt: skip


def candidate_index_sync(*, profile: CandidateProfile, trade_ids, searching: bool) -> int:
    """Remplace les lignes d'index du profil (aucune s'il ne cherche pas ou est incomplet) ; renvoie leur nombre."""
    CandidateTradeIndex.objects.filter(candidate_id=profile.pk).delete()
    if not searching:
        return 0
    values = candidate_index_values(tuple(getattr(profile, name) for name in PROFILE_FIELDS), trade_ids)
    CandidateTradeIndex.objects.bulk_create(
        [CandidateTradeIndex(**dict(zip(INDEX_COLUMNS, row, strict=True))) for row in values], ignore_conflicts=True
    )
    return len(values)


@transaction.atomic
def candidate_index_rebuild(*, progress=None) -> int:
    """Reconstruit l'index des candidat·es en recherche ; renvoie le nombre de lignes."""
    through = CandidateProfile.trades.through
    CandidateTradeIndex.objects.all().delete()
    trades = defaultdict(list)
    for profile_id, trade_id in through.objects.values_list("candidateprofile_id", "trade_id").iterator(
        chunk_size=BATCH * 10
    ):
        trades[profile_id].append(trade_id)
    profiles = CandidateProfile.objects.searching().values_list(*PROFILE_FIELDS)
    count, rows = 0, []
    for profile in profiles.iterator(chunk_size=BATCH * 10):
        rows += candidate_index_values(profile, trades.get(profile[0], ()))
        if len(rows) >= BATCH * 50:  # écrites par paquets : jamais toutes en mémoire
            insert_rows(CandidateTradeIndex, INDEX_COLUMNS, rows)
            count, rows = count + len(rows), []
    insert_rows(CandidateTradeIndex, INDEX_COLUMNS, rows)
    count += len(rows)
    if progress:
        progress(f"index des candidat·es : {count} lignes")
    return count


# --- Index des offres -----------------------------------------------------------------------------

OFFER_INDEX_COLUMNS = (
    "offer_id",
    "trade_id",
    "commune_code",
    "cell",
    "levels",
    "contracts",
    "start_date",
    "accepts_minors",
    "published_at",
)


def offer_index_values(facts: rules.OfferFacts) -> tuple | None:
    """La ligne d'index (valeurs de `OFFER_INDEX_COLUMNS`) d'une offre publiée, localisée et d'un métier au
    catalogue ; sinon None."""
    if not (facts.published and facts.trade_active and facts.commune_code):
        return None
    location = located(facts.commune_code, "Offre", facts.id)
    if location is None:
        return None
    return (
        facts.id,
        facts.trade_id,
        facts.commune_code,
        cells.cell_of(*location),
        level_mask(facts.levels),
        contract_mask(facts.contract_types),
        facts.start_date,
        facts.accepts_minors,
        facts.published_at,
    )


def offer_index_sync(*, offer: Offer) -> bool:
    """Met l'offre dans l'index si elle peut correspondre à des profils ; sinon l'en retire."""
    OfferIndex.objects.filter(offer_id=offer.pk).delete()
    values = offer_index_values(offer_facts(offer))
    if values is not None:
        OfferIndex.objects.bulk_create(
            [OfferIndex(**dict(zip(OFFER_INDEX_COLUMNS, values, strict=True)))], ignore_conflicts=True
        )
    return values is not None


@transaction.atomic
def offer_index_rebuild() -> int:
    OfferIndex.objects.all().delete()
    published = Offer.objects.matchable().values_list(*OFFER_FIELDS)
    # Lu d'un coup, sans curseur serveur : sous PostgreSQL, un curseur laisse le planificateur viser les premières
    # lignes, et, statistiques pas encore à jour, une boucle imbriquée sur les entreprises a coûté 12 minutes.
    rows = [values for row in published if (values := offer_index_values(offer_facts_from_row(row))) is not None]
    insert_rows(OfferIndex, OFFER_INDEX_COLUMNS, rows)
    # La recherche publique lit l'index : ce qu'elle a gardé en cache (`offers_version`) est périmé.
    transaction.on_commit(offers_version_bump)
    return len(rows)
