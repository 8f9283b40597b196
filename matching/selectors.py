"""Lectures de la mise en relation : raisons d'une paire, salaire de l'apprenti·e, « Et maintenant ? » d'une paire,
nombre de paires par offre."""

import datetime

from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from core.enums import ContractType
from matching import kit, rule_facts, rules
from matching.enums import MatchState
from matching.models import Match, MatchStep
from offers import legal
from offers.enums import OfferStatus


def match_reasons(match: Match) -> list[str]:
    """Les raisons d'une paire, en mots simples, d'après le profil et l'offre du moment.

    Paire proposée à la main : la distance, puis « proposée par votre conseiller·e ».
    """
    profile, offer = match.candidate, match.offer
    if match.proposed_by_id:
        place = [rules.distance_text(match.distance_km)] if profile.commune_id and offer.commune_id else []
        return [*place, "proposée par votre conseiller·e"]
    facts = rule_facts.candidate_facts(profile, (), searching=True)
    return list(rules.reasons(facts, rule_facts.offer_facts(offer), match.distance_km, timezone.localdate()))


def apprentice_pay(match: Match) -> dict | None:
    """Le salaire minimum de l'apprenti·e la 1re année pour cette paire : l'âge et le SMIC du jour où le contrat
    peut commencer, dans le département de l'offre (`offers.legal`). None si l'apprentissage n'est pas possible
    pour cette paire ou si le SMIC de ce jour n'est pas connu."""
    profile, offer = match.candidate, match.offer
    facts, offer_facts = rule_facts.candidate_facts(profile, (), searching=True), rule_facts.offer_facts(offer)
    today = timezone.localdate()
    if ContractType.APPRENTISSAGE not in rules.suitable_contracts(facts, offer_facts, today):
        return None
    day = rules.contract_start(facts, offer_facts, today)
    departement = offer.commune.departement_id
    amount = legal.minimum_monthly_pay(
        age=rules.age_at_start(facts, offer_facts, today), contract_year=1, day=day, departement=departement
    )
    if amount is None:
        return None
    smic = legal.smic_on(day, departement)
    return {"amount": amount, "day": day, "source": smic.source}


def match_kit(match: Match, *, today: datetime.date | None = None, done: dict | None = None) -> kit.Kit:
    """Le kit de la paire (`matching.kit`) : le contrat commence au plus tôt le jour de `rules.contract_start`,
    dans le département de l'offre ; les étapes cochées sont lues sauf si `done` les donne."""
    profile, offer = match.candidate, match.offer
    today = today or timezone.localdate()
    facts, offer_facts = rule_facts.candidate_facts(profile, (), searching=True), rule_facts.offer_facts(offer)
    if done is None:
        done = dict(MatchStep.objects.filter(match=match).values_list("step", "done_at"))
    return kit.build_kit(
        birth_date=profile.birth_date,
        start=rules.contract_start(facts, offer_facts, today),
        departement=offer.commune.departement_id,
        level=profile.level,
        under_250=offer.company.under_250,
        night_or_early_work=offer.night_or_early_work,
        trade_code=offer.trade.code,
        today=today,
        done=done,
    )


def offers_with_match_counts(queryset):
    """Compte, en une requête, les paires de chaque offre de `queryset` par étape (voir `matching.enums`).

    `status_rank` trie les offres en ligne d'abord.
    """
    active = Q(matches__is_active=True)
    return queryset.annotate(
        new_count=Count("matches", filter=active & Q(matches__state=MatchState.PROPOSED)),
        awaiting_count=Count(
            "matches",
            filter=active & Q(matches__state__in=[MatchState.CANDIDATE_INTERESTED, MatchState.EMPLOYER_INTERESTED]),
        ),
        connected_count=Count("matches", filter=Q(matches__state__in=[MatchState.CONNECTED, MatchState.INTERVIEW])),
        signed_count=Count("matches", filter=Q(matches__state=MatchState.CONTRACT_SIGNED)),
        status_rank=Case(
            When(status=OfferStatus.PUBLISHED, then=Value(0)),
            When(status=OfferStatus.DRAFT, then=Value(1)),
            When(status=OfferStatus.EXPIRED, then=Value(2)),
            When(status=OfferStatus.FILLED, then=Value(3)),
            default=Value(4),
        ),
    )
