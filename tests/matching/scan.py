"""Les deux recherches de paires par un parcours complet et `rules.evaluate` : la référence à laquelle les
tests d'équivalence et les mesures (`benchmarks/matching.py`) comparent `matching.search` (exactement les
mêmes paires)."""

from collections import defaultdict

from django.utils import timezone

from candidates.models import CandidateProfile
from geo.distance import distance_km
from matching import rules
from matching.indexes import BATCH
from matching.rule_facts import OFFER_FIELDS, candidate_facts, offer_facts_from_row
from offers.models import Offer


def offer_candidate_pool_by_scan(facts: rules.OfferFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les candidat·es de l'offre, par un parcours de tous les profils."""
    now = timezone.localtime(now)
    through = CandidateProfile.trades.through
    trades = defaultdict(set)
    for profile_id, trade_id in through.objects.values_list("candidateprofile_id", "trade_id").iterator(
        chunk_size=BATCH * 5
    ):
        trades[profile_id].add(trade_id)
    fits = {}
    for profile in CandidateProfile.objects.searching().iterator(chunk_size=BATCH):
        candidate = candidate_facts(profile, trades.get(profile.pk, ()), searching=True)
        fit = rules.evaluate(candidate, facts, distance_km(candidate.commune_code, facts.commune_code), now)
        if fit is not None:
            fits[candidate.id] = fit
    return fits


def candidate_offer_pool_by_scan(facts: rules.CandidateFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les offres du profil, par un parcours de toutes les offres mises en relation."""
    now = timezone.localtime(now)
    fits = {}
    for row in Offer.objects.matchable().values_list(*OFFER_FIELDS).iterator(chunk_size=BATCH):
        offer = offer_facts_from_row(row)
        fit = rules.evaluate(facts, offer, distance_km(facts.commune_code, offer.commune_code), now)
        if fit is not None:
            fits[offer.id] = fit
    return fits
