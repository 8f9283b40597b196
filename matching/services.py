"""Les paires candidat·e/offre : leur machine à états (table `TRANSITIONS`), seules écritures de l'état du contact.

- `match_candidate_answer`, `match_employer_answer` : « intéressé·e » ou non, de chaque côté.
- `match_set_outcome` : entretien, contrat signé (le poste est pourvu, `offers.services.offer_position_filled`)
  ou pas de suite.
- `match_propose_by_hand`, `match_withdraw_by_hand` : une paire proposée (ou retirée) par un·e conseiller·e.
- `matches_remind_and_expire` : relance après 7 jours, expiration après 21 jours sans réponse.
- `match_step_set` : une étape de « Et maintenant ? » cochée (`matching.kit`).

Le recalcul des paires est dans `matching.rematch`, leurs e-mails et SMS dans `matching.alerts`, les lectures
dans `matching.selectors`.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from candidates.enums import NotificationFrequency
from candidates.models import CandidateProfile
from geo.distance import distance_km
from matching import rule_facts, rules
from matching.alerts import alert_new_pairs, email_candidate, email_employer, offer_members, with_relations
from matching.enums import KIT_STEP_SIDE, OPEN_STATES, KitStep, MatchState, NoInterestReason, Side
from matching.models import Match, MatchStep
from matching.selectors import match_kit
from offers.models import Offer
from offers.services import offer_position_filled

REMINDER_AFTER = datetime.timedelta(days=7)
EXPIRE_AFTER = datetime.timedelta(days=21)


class MatchTransitionError(Exception):
    """Changement d'état impossible ; le message (en français) peut être montré tel quel."""


# --- États du contact -----------------------------------------------------------------------------

# (état, événement) -> nouvel état. Tout le reste est refusé.
TRANSITIONS = {
    (MatchState.PROPOSED, "candidate_yes"): MatchState.CANDIDATE_INTERESTED,
    (MatchState.EMPLOYER_INTERESTED, "candidate_yes"): MatchState.CONNECTED,
    (MatchState.PROPOSED, "candidate_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.EMPLOYER_INTERESTED, "candidate_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.PROPOSED, "employer_yes"): MatchState.EMPLOYER_INTERESTED,
    (MatchState.CANDIDATE_INTERESTED, "employer_yes"): MatchState.CONNECTED,
    (MatchState.PROPOSED, "employer_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.CANDIDATE_INTERESTED, "employer_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.CONNECTED, "interview"): MatchState.INTERVIEW,
    (MatchState.CONNECTED, "signed"): MatchState.CONTRACT_SIGNED,
    (MatchState.INTERVIEW, "signed"): MatchState.CONTRACT_SIGNED,
    (MatchState.CONNECTED, "no_follow_up"): MatchState.NO_FOLLOW_UP,
    (MatchState.INTERVIEW, "no_follow_up"): MatchState.NO_FOLLOW_UP,
    (MatchState.PROPOSED, "expire"): MatchState.EXPIRED,
}
OUTCOME_EVENTS = {
    MatchState.INTERVIEW: "interview",
    MatchState.CONTRACT_SIGNED: "signed",
    MatchState.NO_FOLLOW_UP: "no_follow_up",
}
ERRORS = {
    MatchState.CONNECTED: "Vous êtes déjà en relation.",
    MatchState.INTERVIEW: "Un entretien est déjà prévu.",
    MatchState.CONTRACT_SIGNED: "Le contrat est déjà signé.",
    MatchState.NO_FOLLOW_UP: "Cette mise en relation n'a pas eu de suite.",
    MatchState.EXPIRED: "Cette mise en relation a expiré faute de réponse.",
}


def _targets(event: str) -> dict[MatchState, MatchState]:
    """Les états d'où part `event`, chacun avec l'état atteint, lus dans `TRANSITIONS` (écritures par lots)."""
    return {state: target for (state, name), target in TRANSITIONS.items() if name == event}


def _transition(match: Match, event: str) -> MatchState:
    target = TRANSITIONS.get((MatchState(match.state), event))
    if target is None:
        if event.startswith(("candidate_", "employer_")) and match.state in (
            MatchState.CANDIDATE_INTERESTED,
            MatchState.EMPLOYER_INTERESTED,
        ):
            raise MatchTransitionError("Vous avez déjà répondu.")
        if event in ("interview", "signed", "no_follow_up") and match.state in OPEN_STATES:
            raise MatchTransitionError("Possible seulement une fois en relation.")
        raise MatchTransitionError(ERRORS.get(match.state, "Ce changement n'est pas possible."))
    if match.state in OPEN_STATES and not match.is_active and event.endswith("_yes"):
        raise MatchTransitionError("Cette offre ne correspond plus à ce profil.")
    return target


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))  # la commune du profil peut être vide (jointure externe)
        .select_related("candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune")
        .get(pk=match.pk)
    )


def _connect(match: Match, now) -> None:
    match.connected_at = now
    members = offer_members(match.offer)
    the_kit = match_kit(match, done={})
    email_candidate(
        match,
        "connected_candidate",
        {"members": members, "kit": the_kit, "steps": the_kit.steps_for(Side.CANDIDATE)},
        concerns=members,
    )
    candidate_user = match.candidate.user
    email_employer(
        match,
        "connected_employer",
        {
            "candidate": match.candidate,
            "candidate_user": candidate_user,
            "kit": the_kit,
            "steps": the_kit.steps_for(Side.EMPLOYER),
        },
        concerns=[candidate_user],
    )


@transaction.atomic
def match_candidate_answer(*, match: Match, interested: bool) -> Match:
    """Le ou la candidat·e répond « intéressé·e » ou « pas intéressé·e »."""
    match = _locked(match)
    now = timezone.now()
    target = _transition(match, "candidate_yes" if interested else "candidate_no")
    match.state = target
    match.candidate_answered_at = now
    if target == MatchState.CONNECTED:
        _connect(match, now)
    elif target == MatchState.CANDIDATE_INTERESTED:
        email_employer(match, "candidate_interested")
    elif target == MatchState.NO_FOLLOW_UP:
        match.declined_by = Side.CANDIDATE
    match.save()
    return match


@transaction.atomic
def match_employer_answer(*, match: Match, interested: bool, reason: str = "") -> Match:
    """L'employeur répond ; s'il n'est pas intéressé, un motif de `NoInterestReason` (facultatif)."""
    if not interested and reason and reason not in NoInterestReason.values:
        raise MatchTransitionError("Choisissez un motif dans la liste.")
    match = _locked(match)
    now = timezone.now()
    target = _transition(match, "employer_yes" if interested else "employer_no")
    match.state = target
    match.employer_answered_at = now
    if target == MatchState.CONNECTED:
        _connect(match, now)
    elif target == MatchState.EMPLOYER_INTERESTED:
        email_candidate(match, "employer_interested")
    elif target == MatchState.NO_FOLLOW_UP:
        match.declined_by = Side.EMPLOYER
        match.no_interest_reason = reason
    match.save()
    return match


@transaction.atomic
def match_set_outcome(*, match: Match, state) -> Match:
    """Suite d'une mise en relation : entretien, contrat signé ou pas de suite (une fois en relation)."""
    event = OUTCOME_EVENTS.get(state)
    if event is None:
        raise MatchTransitionError("Choisissez : entretien, contrat signé ou pas de suite.")
    match = _locked(match)
    match.state = _transition(match, event)
    match.outcome_at = timezone.now()
    match.save()
    if match.state == MatchState.CONTRACT_SIGNED:
        offer_position_filled(offer=match.offer)
    return match


@transaction.atomic
def match_propose_by_hand(*, candidate: CandidateProfile, offer: Offer, by_user) -> Match:
    """Un·e conseiller·e propose une paire (même si les règles ne la retiennent pas) ; mêmes alertes."""
    offer = Offer.objects.select_related("trade", "company").get(pk=offer.pk)
    trade_ids = set(candidate.trades.values_list("pk", flat=True))
    facts = rule_facts.candidate_facts(candidate, trade_ids, searching=True)
    distance = distance_km(candidate.commune_id, offer.commune_id) if candidate.commune_id else None
    now = timezone.now()
    fit = rules.evaluate(facts, rule_facts.offer_facts(offer), distance, timezone.localtime(now))
    try:
        with transaction.atomic():
            match, created = Match.objects.get_or_create(
                candidate=candidate,
                offer=offer,
                defaults={
                    "score": fit.score_at(now) if fit else 0,
                    "distance_km": round(distance, 1) if distance is not None else 0,
                    "proposed_by": by_user,
                },
            )
    except IntegrityError:  # créée au même moment par un recalcul
        match, created = Match.objects.get(candidate=candidate, offer=offer), False
    if not created:
        if match.state != MatchState.PROPOSED:
            raise MatchTransitionError("Cette mise en relation existe déjà.")
        Match.objects.filter(pk=match.pk).update(is_active=True, proposed_by=by_user)
    alert_new_pairs(Match.objects.filter(pk=match.pk))
    match.refresh_from_db()
    return match


@transaction.atomic
def match_withdraw_by_hand(*, match: Match) -> Match:
    """Le ou la conseiller·e retire une paire proposée à la main : elle n'est plus active (un recalcul la
    réactive seulement si les règles la retiennent)."""
    match = _locked(match)
    if match.proposed_by_id is None:
        raise MatchTransitionError("Seule une mise en relation proposée à la main peut être retirée.")
    if match.state not in OPEN_STATES:
        raise MatchTransitionError(ERRORS.get(match.state, "Ce changement n'est pas possible."))
    match.is_active = False
    match.save(update_fields=["is_active", "updated_at"])
    return match


# --- Relances et expiration -----------------------------------------------------------------------


@transaction.atomic
def matches_remind_and_expire(*, now=None) -> dict:
    """Relance après 7 jours le côté qui n'a pas répondu ; expire après 21 jours une paire sans réponse."""
    now = now or timezone.now()
    expired = 0
    for state, target in _targets("expire").items():  # en une écriture par état de départ, selon la table
        expired += Match.objects.filter(
            state=state, created_at__lte=now - EXPIRE_AFTER, candidate_answered_at=None
        ).update(state=target, updated_at=now)
    due = (
        Q(state=MatchState.PROPOSED, created_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.CANDIDATE_INTERESTED, candidate_answered_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.EMPLOYER_INTERESTED, employer_answered_at__lte=now - REMINDER_AFTER)
    )
    reminded = 0
    for match in with_relations(Match.objects.filter(due, is_active=True, reminded_at=None)):
        if (
            match.state in (MatchState.PROPOSED, MatchState.EMPLOYER_INTERESTED)
            and match.candidate.notification_frequency != NotificationFrequency.NONE
        ):
            email_candidate(match, "reminder_candidate")
        if match.state in (MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED):
            email_employer(match, "reminder_employer")
        Match.objects.filter(pk=match.pk).update(reminded_at=now)
        reminded += 1
    return {"reminded": reminded, "expired": expired}


# --- Et maintenant ? : de la mise en relation au contrat signé ------------------------------------------

KIT_STATES = (MatchState.CONNECTED, MatchState.INTERVIEW)  # les étapes se cochent jusqu'au contrat signé


@transaction.atomic
def match_step_set(*, match: Match, step: str, side: str, by_user, done: bool = True) -> Match:
    """Le côté `side` coche (ou décoche) l'étape `step` du kit de la paire."""
    if step not in KitStep.values:
        raise MatchTransitionError("Cette étape n'existe pas.")
    match = _locked(match)
    if match.state not in KIT_STATES:
        raise MatchTransitionError(
            "Le contrat est déjà signé."
            if match.state == MatchState.CONTRACT_SIGNED
            else "Possible seulement une fois en relation."
        )
    if KIT_STEP_SIDE[KitStep(step)] != side:
        raise MatchTransitionError("Cette étape revient à l'autre côté.")
    if step not in {item.code for item in match_kit(match, done={}).steps}:
        raise MatchTransitionError("Cette étape ne concerne pas ce contrat.")
    now = timezone.now()
    if done:
        _, created = MatchStep.objects.get_or_create(
            match=match, step=step, defaults={"done_at": now, "done_by": by_user}
        )
    else:
        created = bool(MatchStep.objects.filter(match=match, step=step).delete()[0])
    if created:
        Match.objects.filter(pk=match.pk).update(progress_at=now, updated_at=now)
        match.progress_at = now
    return match
