"""Pourquoi un·e candidat·e n'a aucune mise en relation, pourquoi une offre n'a personne.

Les règles de la mise en relation elles-mêmes (`matching.rules.failed_rules`), appliquées à une liste
entière avec un nombre fixe de requêtes : pour chaque paire possible du même métier, la première règle (dans
l'ordre de `rules.RULES`) qu'elle ne respecte pas ; la raison affichée est celle de la paire allée le plus
loin.
"""

from django.utils import timezone

from candidates.models import CandidateProfile
from core.enums import DiplomaLevel
from geo.distance import distance_km
from matching import rules, search
from offers.models import Offer

CANDIDATE_REASONS = {
    "is_open": "Aucune offre publiée dans ses métiers.",
    "same_trade": "Aucune offre publiée dans ses métiers.",
    "is_near": "Aucune offre de ses métiers à moins de {radius} km{closest}.",
    "level_accepted": "Les offres proches ne prennent pas son niveau ({level}).",
    "contract_overlaps": "Les offres proches proposent un autre type de contrat.",
    "start_fits": "Les offres proches commencent trop tôt pour sa date de disponibilité.",
    "age_fits": "Son âge au début du contrat ne permet pas les contrats des offres proches.",
    "minor_accepted": "Les offres proches n'acceptent pas les mineur·es.",
    None: "Des offres compatibles existent : proposez une mise en relation à la main.",
}
OFFER_REASONS = {
    "is_open": "Personne ne cherche ce métier pour l'instant.",
    "same_trade": "Personne ne cherche ce métier pour l'instant.",
    "is_near": "Aucun·e candidat·e de ce métier n'habite assez près.",
    "level_accepted": "Les candidat·es proches préparent un autre niveau de diplôme.",
    "contract_overlaps": "Les candidat·es proches cherchent un autre type de contrat.",
    "start_fits": "Les candidat·es proches ne sont disponibles que plus tard.",
    "age_fits": "L'âge des candidat·es proches au début du contrat ne permet pas les contrats proposés.",
    "minor_accepted": "L'offre n'accepte pas les mineur·es, et les candidat·es proches le sont.",
    None: "Des candidat·es compatibles existent : proposez une mise en relation à la main.",
}
RULE_NAMES = [rule.__name__ for rule in rules.RULES]


def _furthest(pairs, today) -> str | None:
    """La règle qui arrête la paire allée le plus loin dans `rules.RULES` (None : une paire correspond)."""
    best = -1
    for candidate, offer in pairs:
        failed = rules.failed_rules(candidate, offer, distance_km(candidate.commune_code, offer.commune_code), today)
        stage = RULE_NAMES.index(failed[0]) if failed else len(RULE_NAMES)
        if stage == len(RULE_NAMES):
            return None
        best = max(best, stage)
    return RULE_NAMES[max(best, 0)]


def candidates_reasons(candidates) -> dict[int, str]:
    """{id du profil : raison} ; les profils doivent avoir `trades` préchargés et `commune` joint."""
    trade_ids = {trade.pk for candidate in candidates for trade in candidate.trades.all()}
    published = Offer.objects.matchable()  # celles que la mise en relation considère
    offers = [
        search.offer_facts_from_row(row)
        for row in published.filter(trade_id__in=trade_ids).values_list(*search.OFFER_FIELDS)
    ]
    today = timezone.localdate()
    reasons = {}
    for candidate in candidates:
        trades = {trade.pk for trade in candidate.trades.all()}
        if not trades:
            reasons[candidate.pk] = "Aucun métier choisi dans son profil."
            continue
        facts = search.candidate_facts(candidate, trades, searching=True)
        in_trade = [offer for offer in offers if offer.trade_id in trades]
        rule = _furthest(((facts, offer) for offer in in_trade), today) if in_trade else "same_trade"
        known = [d for offer in in_trade if (d := distance_km(facts.commune_code, offer.commune_code)) is not None]
        reasons[candidate.pk] = CANDIDATE_REASONS[rule].format(
            radius=candidate.radius_km,
            closest=f" (la plus proche à {round(min(known))} km)" if known else "",
            level=DiplomaLevel(candidate.level).short_label if candidate.level in DiplomaLevel.values else "?",
        )
    return reasons


def offers_reasons(offers) -> dict[int, str]:
    """{id de l'offre : raison} ; les offres doivent avoir `commune` et `trade` joints."""
    trade_ids = {offer.trade_id for offer in offers}
    rows = (
        CandidateProfile.objects.searching().filter(trades__in=trade_ids).values_list("trades", *search.PROFILE_FIELDS)
    )
    candidates = [
        rules.CandidateFacts(
            id=pk,
            commune_code=commune,
            radius_km=radius,
            trade_ids=frozenset({trade}),
            level=level or "",
            contract_types=frozenset(contracts or ()),
            available_from=available_from,
            birth_date=birth_date,
            age_exception=bool(exception),
            job_seeker=bool(job_seeker),
        )
        for trade, pk, commune, radius, level, contracts, available_from, birth_date, exception, job_seeker in rows
    ]
    today = timezone.localdate()
    reasons = {}
    for offer in offers:
        facts = search.offer_facts(offer)
        in_trade = [candidate for candidate in candidates if offer.trade_id in candidate.trade_ids]
        rule = _furthest(((candidate, facts) for candidate in in_trade), today) if in_trade else "same_trade"
        reasons[offer.pk] = OFFER_REASONS[rule]
    return reasons
