"""Pourquoi un·e candidat·e n'a aucune mise en relation, pourquoi une offre n'a personne.

Les règles de la mise en relation elles-mêmes (`matching.rules.failed_rules`), appliquées à une liste
entière avec un nombre fixe de requêtes : pour chaque paire possible du même métier, la première règle (dans
l'ordre de `rules.RULES`) qu'elle ne respecte pas ; la raison affichée est celle de la paire allée le plus
loin.

`proposals` juge de la même façon, une à une, les offres qu'un·e conseiller·e peut proposer à la main.
"""

from dataclasses import dataclass

from django.utils import timezone

from candidates.models import CandidateProfile
from core.enums import DiplomaLevel
from geo.distance import distance_km
from matching import rule_facts, rules
from offers.models import Offer

CANDIDATE_REASONS = {
    "is_open": "Aucune offre publiée dans ses métiers.",
    "same_trade": "Aucune offre publiée dans ses métiers.",
    "is_near": "Aucune offre de ses métiers à moins de {radius_km} km{closest}.",
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
        rule_facts.offer_facts_from_row(row)
        for row in published.filter(trade_id__in=trade_ids).values_list(*rule_facts.OFFER_FIELDS)
    ]
    today = timezone.localdate()
    reasons = {}
    for candidate in candidates:
        trades = {trade.pk for trade in candidate.trades.all()}
        if not trades:
            reasons[candidate.pk] = "Aucun métier choisi dans son profil."
            continue
        facts = rule_facts.candidate_facts(candidate, trades, searching=True)
        in_trade = [offer for offer in offers if offer.trade_id in trades]
        rule = _furthest(((facts, offer) for offer in in_trade), today) if in_trade else "same_trade"
        known = [d for offer in in_trade if (d := distance_km(facts.commune_code, offer.commune_code)) is not None]
        reasons[candidate.pk] = CANDIDATE_REASONS[rule].format(
            radius_km=candidate.radius_km,
            closest=f" (la plus proche à {round(min(known))} km)" if known else "",
            level=DiplomaLevel(candidate.level).short_label if candidate.level in DiplomaLevel.values else "?",
        )
    return reasons


def offers_reasons(offers) -> dict[int, str]:
    """{id de l'offre : raison} ; les offres doivent avoir `commune` et `trade` joints."""
    trade_ids = {offer.trade_id for offer in offers}
    rows = (
        CandidateProfile.objects.searching()
        .filter(trades__in=trade_ids)
        .values_list("trades", *rule_facts.PROFILE_FIELDS)
    )
    candidates = [
        rules.CandidateFacts(
            id=pk,
            commune_code=commune,
            radius_km=radius_km,
            trade_ids=frozenset({trade}),
            level=level or "",
            contract_types=frozenset(contracts or ()),
            available_from=available_from,
            birth_date=birth_date,
            age_exception=bool(exception),
            job_seeker=bool(job_seeker),
        )
        for trade, pk, commune, radius_km, level, contracts, available_from, birth_date, exception, job_seeker in rows
    ]
    today = timezone.localdate()
    reasons = {}
    for offer in offers:
        facts = rule_facts.offer_facts(offer)
        in_trade = [candidate for candidate in candidates if offer.trade_id in candidate.trade_ids]
        rule = _furthest(((candidate, facts) for candidate in in_trade), today) if in_trade else "same_trade"
        reasons[offer.pk] = OFFER_REASONS[rule]
    return reasons


# --- Proposer à la main : les offres qui correspondent, puis les presque -----------------------------


def _level_label(level: str) -> str:
    return DiplomaLevel(level).short_label if level in DiplomaLevel.values else "non renseigné"


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


# Ce que dit chaque règle de `rules.RULES` qu'une paire ne respecte pas, pour une paire précise.
PAIR_FAILURES = {
    "is_open": lambda c, o, d, today: (
        "offre hors de la mise en relation (entreprise non vérifiée, suspendue ou métier retiré)"
        if c.searching
        else "profil qui ne cherche pas en ce moment"
    ),
    "same_trade": lambda c, o, d, today: f"autre métier : {o.trade_label}",
    "is_near": lambda c, o, d, today: (
        f"{rules.distance_text(d)}, au-delà de {c.radius_km} km" if d is not None else "distance inconnue"
    ),
    "level_accepted": lambda c, o, d, today: (
        f"niveau {_level_label(c.level)} non demandé ({', '.join(_level_label(level) for level in o.levels)})"
    ),
    "contract_overlaps": lambda c, o, d, today: "autre type de contrat",
    "start_fits": lambda c, o, d, today: (
        f"{rules.start_text(o)}, trop tôt pour une disponibilité au {_day(c.available_from)}"
        if c.available_from
        else "date de disponibilité inconnue"
    ),
    "age_fits": lambda c, o, d, today: (
        f"{rules.age_at_start(c, o, today)} ans au début du contrat : hors des âges du contrat proposé"
        if c.birth_date
        else "date de naissance inconnue"
    ),
    "minor_accepted": lambda c, o, d, today: "mineur·e au début du contrat, l'offre ne les accepte pas",
}


@dataclass
class Proposal:
    """Une offre à proposer à un·e candidat·e : ses raisons si elle correspond, sinon les règles manquées."""

    offer: Offer
    distance_km: float | None
    failed: list[str]  # noms des règles de `rules.RULES` non respectées (vide : la paire correspond)
    texts: list[str]

    @property
    def fits(self) -> bool:
        return not self.failed


def proposal(candidate: CandidateProfile, offer: Offer, *, trade_ids=None, today=None) -> Proposal:
    """La paire `candidate` / `offer` jugée par les règles elles-mêmes (`rules.failed_rules`)."""
    today = today or timezone.localdate()
    if trade_ids is None:
        trade_ids = {trade.pk for trade in candidate.trades.all()}
    facts = rule_facts.candidate_facts(candidate, trade_ids, searching=True)
    offer_facts = rule_facts.offer_facts(offer)
    distance = distance_km(facts.commune_code, offer_facts.commune_code)
    failed = rules.failed_rules(facts, offer_facts, distance, today)
    if failed:
        texts = [PAIR_FAILURES[name](facts, offer_facts, distance, today) for name in failed]
    else:
        texts = list(rules.reasons(facts, offer_facts, distance, today))
    return Proposal(offer=offer, distance_km=distance, failed=failed, texts=texts)


def proposals(candidate: CandidateProfile, offers, *, near_misses: int = 20) -> tuple[list, list]:
    """Parmi `offers` (les offres publiées du territoire, sans paire avec ce profil), celles des métiers du
    profil : d'abord celles qui correspondent, la plus proche d'abord ; puis les `near_misses` presque (le
    moins de règles manquées, puis la plus proche)."""
    trade_ids = {trade.pk for trade in candidate.trades.all()}
    today = timezone.localdate()
    judged = [
        proposal(candidate, offer, trade_ids=trade_ids, today=today)
        for offer in offers.filter(trade__in=trade_ids).select_related("company", "trade", "commune")
    ]

    def distance(item):
        return float("inf") if item.distance_km is None else item.distance_km

    fitting = sorted((p for p in judged if p.fits), key=lambda p: (distance(p), p.offer.pk))
    missing = sorted((p for p in judged if not p.fits), key=lambda p: (len(p.failed), distance(p), p.offer.pk))
    return fitting, missing[:near_misses]
