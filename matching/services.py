"""Mise en relation : calcul incrémental des paires, états du contact et alertes.

- `schedule_rematch_for_offer` / `schedule_rematch_for_candidate` : à appeler après tout changement d'une
  offre ou d'un profil ; la tâche part après le commit.
- `rematch_offer` / `rematch_candidate` : recalculent seulement les paires de l'offre ou du profil.
- `rematch_all` : tout recalculer (après un import, un changement de règles), en colonnes (`matching.bulk`),
  par paquets de profils.
- `rematch_daily` : chaque jour, les seuls profils dont un anniversaire ou la disponibilité change les paires,
  ensemble, en colonnes (`rematch_candidates`).

Les faits des règles sont dans `matching.rule_facts`, les index dans `matching.indexes`, les recherches dans
`matching.search`.
- `match_candidate_answer`, `match_employer_answer`, `match_set_outcome`, `match_propose_by_hand` : les
  seules écritures de l'état du contact (table `TRANSITIONS`).
- `match_kit`, `match_step_set`, `matches_nudge_stalled` : « Et maintenant ? », de la mise en relation au
  contrat signé (`matching.kit`).
"""

import datetime
import functools
import logging
import time
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from candidates.enums import NotificationFrequency
from candidates.models import CandidateProfile
from core.enums import ContractType
from employers.models import approved_memberships_prefetch
from geo.distance import distance_km
from matching import bulk, indexes, kit, pairs_store, rule_facts, rules, search
from matching.enums import KIT_STEP_SIDE, OPEN_STATES, KitStep, MatchState, NoInterestReason, Side
from matching.models import CandidateTradeIndex, DailyRematch, Match, MatchStep
from notifications.enums import EmailKind
from notifications.models import EmailPreference
from notifications.services import email_enqueue, sms_enqueue
from offers.models import Offer

logger = logging.getLogger(__name__)

REMINDER_AFTER = datetime.timedelta(days=7)
EXPIRE_AFTER = datetime.timedelta(days=21)
BATCH = 2000
DAILY_BATCH = 20_000  # profils recalculés ensemble par la tâche quotidienne


class MatchTransitionError(Exception):
    """Changement d'état impossible ; le message (en français) peut être montré tel quel."""


# --- Écriture des paires --------------------------------------------------------------------------


def _sync_pairs(*, fits: dict[tuple[int, int], rules.Fit], existing, now, notify: bool) -> dict:
    """Crée, met à jour, désactive les paires de `existing` (QuerySet) selon `fits` {(profil, offre): Fit}.

    Une paire déjà là garde son score du moment où elle a été trouvée (`Fit.score_at(created_at)`) : elle
    n'est réécrite que si elle a vraiment changé. Une paire proposée par un·e conseiller·e n'est jamais
    désactivée par un recalcul : seul·e le ou la conseiller·e (`match_withdraw_by_hand`) ou l'un des côtés y met fin.
    """
    current = {
        (candidate, offer): (pk, active, score, dist, created, by_hand)
        for pk, candidate, offer, active, score, dist, created, by_hand in existing.values_list(
            "pk", "candidate_id", "offer_id", "is_active", "score", "distance_km", "created_at", "proposed_by"
        )
    }
    to_create, to_update, to_deactivate = [], [], []
    for key, fit in fits.items():
        if key not in current:
            to_create.append(
                Match(
                    candidate_id=key[0],
                    offer_id=key[1],
                    score=fit.score_at(now),
                    distance_km=fit.distance_km,
                    created_at=now,
                    candidate_alerted=not notify,
                    employer_alerted=not notify,
                )
            )
            continue
        pk, active, score, dist, created, _by_hand = current[key]
        new_score = fit.score_at(created)
        if not active or score != new_score or dist != fit.distance_km:
            to_update.append(Match(pk=pk, is_active=True, score=new_score, distance_km=fit.distance_km, updated_at=now))
    for key, (pk, active, *_, by_hand) in current.items():
        if active and key not in fits and by_hand is None:
            to_deactivate.append(pk)
    # ignore_conflicts : une autre tâche a pu créer la même paire entre-temps (contrainte d'unicité).
    Match.objects.bulk_create(to_create, batch_size=BATCH, ignore_conflicts=True)
    Match.objects.bulk_update(to_update, ["is_active", "score", "distance_km", "updated_at"], batch_size=BATCH)
    pairs_store.deactivate_pairs(to_deactivate, now=now)
    return {"created": len(to_create), "updated": len(to_update), "deactivated": len(to_deactivate)}


@transaction.atomic
def rematch_offer(offer_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index de l'offre puis recalcule ses paires (idempotent) ; alerte pour les nouvelles paires."""
    offer = Offer.objects.select_related("trade", "company").filter(pk=offer_id).first()
    if offer is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    indexes.offer_index_sync(offer=offer)
    now = timezone.now()
    pool = search.offer_candidate_pool(rule_facts.offer_facts(offer), now=now)
    fits = {(candidate_id, offer.pk): fit for candidate_id, fit in pool.items()}
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(offer_id=offer.pk), now=now, notify=notify)
    if notify:
        _alert_new_pairs(Match.objects.filter(offer_id=offer.pk))
    return counts


@transaction.atomic
def rematch_candidate(candidate_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index du profil puis recalcule ses paires (idempotent)."""
    profile = CandidateProfile.objects.filter(pk=candidate_id).first()
    if profile is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    searching = CandidateProfile.objects.searching().filter(pk=profile.pk).exists()
    trade_ids = set(profile.trades.values_list("pk", flat=True))
    indexed = indexes.candidate_index_sync(profile=profile, trade_ids=trade_ids, searching=searching)
    now = timezone.now()
    facts = rule_facts.candidate_facts(profile, trade_ids, searching=searching)
    pool = search.candidate_offer_pool(facts, now=now) if indexed else {}
    fits = {(profile.pk, offer_id): fit for offer_id, fit in pool.items()}
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(candidate_id=profile.pk), now=now, notify=notify)
    if notify:
        _alert_new_pairs(Match.objects.filter(candidate_id=profile.pk))
    return counts


def _enqueue_task(name: str, object_id: int) -> None:
    from matching import tasks

    getattr(tasks, name).enqueue(object_id)


def schedule_rematch_for_offer(offer) -> None:
    """Recalcule les paires de l'offre en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(_enqueue_task, "rematch_offer", offer.pk))


def schedule_rematch_for_candidate(candidate_profile) -> None:
    """Recalcule les paires du profil en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(_enqueue_task, "rematch_candidate", candidate_profile.pk))


def compute_first_matches(candidate_profile) -> None:
    """Les premières paires d'un profil qui vient d'être terminé, calculées dans la requête, juste après le
    commit (quelques millisecondes) : la page suivante les montre déjà. Une erreur est journalisée sans faire
    échouer la requête ; la tâche de fond (`schedule_rematch_for_candidate`) refait ce calcul."""
    transaction.on_commit(functools.partial(rematch_candidate, candidate_profile.pk), robust=True)


# --- Tout recalculer ------------------------------------------------------------------------------


def rematch_all(*, progress=None, notify: bool = True) -> dict:
    """Recalcule toutes les paires : les deux index, puis les paires en colonnes (`matching.bulk`), par paquets
    de profils : pour chaque paquet, ses paires sont calculées, comparées à ses paires enregistrées, et seules
    les différences sont écrites, avant de passer au suivant. La mémoire dépend de la taille d'un paquet, pas du
    nombre de paires.

    Un profil ou une offre modifié pendant le calcul est recalculé à la fin, à part.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    now = timezone.now()
    totals = {"created": 0, "updated": 0, "deactivated": 0, "pairs": 0}

    def step(message):
        say(f"{message} ({time.monotonic() - started:.1f} s)")

    indexes.candidate_index_rebuild(progress=step)
    step(f"index des offres : {indexes.offer_index_rebuild()} offres")
    engine = bulk.Engine(timezone.localdate(now))
    fill = pairs_store.FirstFill()
    ranges = bulk.candidate_ranges()
    for number, where in enumerate(ranges, 1):
        pairs = engine.fits(where)
        counts = pairs_store.sync_pairs(pairs, where, now=now, notify=notify, fill=fill)
        totals["pairs"] += len(pairs)
        del pairs
        for name, count in counts.items():
            totals[name] += count
        if len(ranges) > 1:
            step(f"paquet {number}/{len(ranges)} : {totals['pairs']} paires, {totals['created']} créées")
    pairs_store.create_indexes()  # après un premier remplissage (ou un premier remplissage interrompu)
    step(f"paires qui correspondent : {totals['pairs']}")
    step(f"écritures : {totals['created']} créées, {totals['updated']} à jour, {totals['deactivated']} désactivées")
    # Modifiés pendant le calcul : recalculés un par un, avec les données du moment.
    for pk in CandidateProfile.objects.filter(updated_at__gte=now).values_list("pk", flat=True):
        rematch_candidate(pk, notify=notify)
    for pk in Offer.objects.filter(updated_at__gte=now).values_list("pk", flat=True):
        rematch_offer(pk, notify=notify)
    if notify:  # les alertes des nouvelles paires, par paquets de clés
        last = 0
        while ids := list(
            Match.objects.filter(created_at=now, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        ):
            _alert_new_pairs(Match.objects.filter(pk__in=ids))
            last = ids[-1]
    DailyRematch.objects.update_or_create(day=timezone.localdate(now), defaults={"profiles": 0})
    totals["seconds"] = round(time.monotonic() - started, 1)
    say(f"terminé : {totals}")
    return totals


def rematch_candidates(candidate_ids, *, now=None, notify: bool = True) -> dict:
    """Recalcule ensemble les paires de ces profils (déjà dans l'index) contre toutes les offres, en colonnes
    (`matching.bulk`), par paquets de `DAILY_BATCH` profils ; alertes des nouvelles paires comme
    `rematch_candidate`. Le même résultat que `rematch_candidate` profil par profil, en une lecture des offres."""
    now = now or timezone.now()
    totals = {"created": 0, "updated": 0, "deactivated": 0}
    candidate_ids = sorted(candidate_ids)
    if not candidate_ids:
        return totals
    engine = bulk.Engine(timezone.localdate(now))
    for first in range(0, len(candidate_ids), DAILY_BATCH):
        part = candidate_ids[first : first + DAILY_BATCH]
        where = bulk.candidate_list(part)
        for name, count in pairs_store.sync_pairs(engine.fits(where), where, now=now, notify=notify).items():
            totals[name] += count
        if notify:
            for start in range(0, len(part), BATCH):
                _alert_new_pairs(Match.objects.filter(candidate_id__in=part[start : start + BATCH]))
    return totals


# --- Ce que le temps change : la tâche quotidienne ----------------------------------------------------


def due_conditions(*, since: datetime.date, day: datetime.date) -> list[Q]:
    """Les intervalles de dates de naissance et de disponibilité de `due_profile_ids`, un par requête."""
    ranges = [
        Q(birth_date__gt=rules.latest_birth_date(since, age), birth_date__lte=rules.latest_birth_date(day, age))
        for age in rules.AGE_THRESHOLDS
    ]
    ranges.append(
        Q(
            available_from__gt=rules.latest_availability(since),
            available_from__lte=rules.latest_availability(day),
        )
    )
    return ranges


def due_profile_ids(*, since: datetime.date, day: datetime.date) -> list[int]:
    """Les profils en recherche dont les paires peuvent changer entre `since` (exclu) et `day` (inclus) sans
    que rien ne soit modifié : un anniversaire qui franchit un âge de `rules.AGE_THRESHOLDS`, ou le jour où
    leur disponibilité n'est plus qu'à un mois (`rules.start_fits` : les offres déjà commencées leur
    conviennent alors). Des requêtes sur les index de l'index des candidat·es (date de naissance,
    disponibilité), pas un parcours.

    Rien d'autre ne dépend du jour : l'âge au début du contrat ne change qu'à un anniversaire, et une offre
    dont le début passe commence aujourd'hui, à l'âge d'aujourd'hui."""
    ids = set()
    for condition in due_conditions(since=since, day=day):  # une requête par intervalle : chacune suit son index
        ids.update(CandidateTradeIndex.objects.filter(condition).values_list("candidate_id", flat=True))
    return sorted(ids)


def rematch_daily(*, now=None, notify: bool = True) -> dict:
    """Recalcule chaque jour les seuls profils dont le résultat des règles change ce jour-là (voir
    `due_profile_ids`), depuis le dernier jour fait, ensemble (`rematch_candidates`) ; alertes des nouvelles
    paires comme d'habitude."""
    started = time.monotonic()
    day = timezone.localdate(now)
    last = DailyRematch.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None and last >= day:
        return {"day": day.isoformat(), "profiles": 0, "created": 0, "updated": 0, "deactivated": 0}
    since = last if last is not None else day - datetime.timedelta(days=1)
    profile_ids = due_profile_ids(since=since, day=day)
    totals = rematch_candidates(profile_ids, now=now, notify=notify)
    seconds = round(time.monotonic() - started, 3)
    DailyRematch.objects.update_or_create(day=day, defaults={"profiles": len(profile_ids), "seconds": seconds})
    return {"day": day.isoformat(), "profiles": len(profile_ids), **totals, "seconds": seconds}


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


# --- Alertes --------------------------------------------------------------------------------------


def _key(event: str, user_id: int, match_id: int) -> str:
    return f"matching:{event}:u{user_id}:m{match_id}"


def apprentice_pay(match: Match) -> dict | None:
    """Le salaire minimum de l'apprenti·e la 1re année pour cette paire : l'âge et le SMIC du jour où le contrat
    peut commencer, dans le département de l'offre (`offers.legal`). None si l'apprentissage n'est pas possible
    pour cette paire ou si le SMIC de ce jour n'est pas connu."""
    from offers import legal

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


def _match_context(match: Match) -> dict:
    offer = match.offer
    return {
        "match": match,
        "offer": offer,
        "trade": offer.trade.label,
        "company": offer.company.name,
        "place": offer.commune.name,
        "reasons": match.reasons,
        "candidate_commune": match.candidate.commune.name if match.candidate.commune_id else "",
        "pay": apprentice_pay(match),
    }


def _members(offer):
    """Les membres approuvés de l'entreprise (jamais une demande en attente)."""
    return offer.company.active_members()


# La sorte de chaque e-mail (une préférence et un lien de désabonnement par sorte).
EMAIL_KINDS = {
    "new_offer": EmailKind.NEW_MATCHES,
    "new_candidate": EmailKind.NEW_MATCHES,
    "digest": EmailKind.NEW_MATCHES,
    "employer_digest": EmailKind.NEW_MATCHES,
    "candidate_interested": EmailKind.ANSWERS,
    "employer_interested": EmailKind.ANSWERS,
    "connected_candidate": EmailKind.ANSWERS,
    "connected_employer": EmailKind.ANSWERS,
    "reminder_candidate": EmailKind.FOLLOW_UP,
    "reminder_employer": EmailKind.FOLLOW_UP,
    "kit_nudge_candidate": EmailKind.FOLLOW_UP,
    "kit_nudge_employer": EmailKind.FOLLOW_UP,
}


# Les messages qu'un·e jeune peut aussi recevoir par SMS (`<event>_sms.txt`), s'il ou elle l'a choisi.
SMS_EVENTS = frozenset(
    {"new_offer", "employer_interested", "connected_candidate", "reminder_candidate", "kit_nudge_candidate"}
)


def _sms_candidate(match: Match, event: str, context: dict) -> None:
    user = match.candidate.user
    sms_enqueue(
        key=f"sms:{_key(event, user.pk, match.pk)}",
        to=user,
        template=f"matching/emails/{event}",
        context=context,
        kind=EMAIL_KINDS[event],
    )


def _email_candidate(match: Match, event: str, extra: dict | None = None, concerns=()) -> None:
    """`concerns` : les personnes dont le message porte les données, en plus du ou de la destinataire.
    Le même message part aussi par SMS si la personne a choisi cette sorte par SMS (`SMS_EVENTS`)."""
    user = match.candidate.user
    if event in SMS_EVENTS:
        _sms_candidate(
            match,
            event,
            {
                "match": match,
                "trade": match.offer.trade.label,
                "company": match.offer.company.name,
                "place": match.offer.commune.name,
            },
        )
    email_enqueue(
        key=_key(event, user.pk, match.pk),
        to=user,
        template=f"matching/emails/{event}",
        context={**_match_context(match), **(extra or {})},
        concerns=concerns,
        kind=EMAIL_KINDS[event],
    )


def _email_employer(match: Match, event: str, extra: dict | None = None, concerns=(), members=None) -> None:
    for user in _members(match.offer) if members is None else members:
        email_enqueue(
            key=_key(event, user.pk, match.pk),
            to=user,
            template=f"matching/emails/{event}",
            context={**_match_context(match), "member": user, **(extra or {})},
            concerns=concerns,
            kind=EMAIL_KINDS[event],
        )


def _with_relations(queryset):
    return queryset.select_related(
        "candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune"
    ).prefetch_related(approved_memberships_prefetch("offer__company__"))


def _alert_new_pairs(queryset) -> int:
    """Alerte chaque côté des nouvelles paires pas encore annoncées (une fois par paire et par personne)."""
    pending = _with_relations(
        queryset.filter(is_active=True, state=MatchState.PROPOSED).filter(
            Q(candidate_alerted=False) | Q(employer_alerted=False)
        )
    )
    sent = 0
    candidate_done, employer_done = [], []
    digest_members = set(EmailPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True))
    for match in pending.iterator(chunk_size=500):
        if not match.candidate_alerted:
            frequency = match.candidate.notification_frequency
            if frequency == NotificationFrequency.IMMEDIATE:
                _email_candidate(match, "new_offer")
                sent += 1
            if frequency != NotificationFrequency.DAILY:  # le résumé quotidien s'en charge
                candidate_done.append(match.pk)
        if not match.employer_alerted:
            # Les membres qui ont choisi le résumé quotidien le reçoivent par `send_daily_digests`.
            members = [member for member in _members(match.offer) if member.pk not in digest_members]
            _email_employer(match, "new_candidate", members=members)
            employer_done.append(match.pk)
            sent += 1
    Match.objects.filter(pk__in=candidate_done).update(candidate_alerted=True)
    Match.objects.filter(pk__in=employer_done).update(employer_alerted=True)
    return sent


@transaction.atomic
def send_daily_digests(*, now=None) -> int:
    """Un résumé par jour aux candidat·es « quotidien » : les nouvelles offres du jour, en un e-mail."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = _with_relations(
        Match.objects.filter(
            is_active=True,
            state=MatchState.PROPOSED,
            candidate_alerted=False,
            candidate__notification_frequency=NotificationFrequency.DAILY,
        )
    ).order_by("candidate_id", "-score")
    by_candidate = defaultdict(list)
    for match in pending:
        by_candidate[match.candidate_id].append(match)
    for matches in by_candidate.values():
        user = matches[0].candidate.user
        email_enqueue(
            key=f"matching:digest:u{user.pk}:{day.isoformat()}",
            to=user,
            template="matching/emails/digest",
            context={"matches": [_match_context(match) for match in matches[:10]], "count": len(matches)},
            kind=EMAIL_KINDS["digest"],
        )
        Match.objects.filter(pk__in=[match.pk for match in matches]).update(candidate_alerted=True)
    return len(by_candidate) + send_employer_digests(day=day)


DIGEST_MAX_ITEMS = 10


def send_employer_digests(*, day: datetime.date) -> int:
    """Le résumé des employeurs qui l'ont choisi (`EmailPreference.daily_digest`) : les paires trouvées la veille
    de `day` pour les offres de leurs établissements, un e-mail par membre et par jour (la clé le garantit)."""
    yesterday = day - datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    digest_members = set(EmailPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True))
    if not digest_members:
        return 0
    pending = (
        _with_relations(
            Match.objects.filter(
                is_active=True, state=MatchState.PROPOSED, created_at__gte=start, created_at__lt=end
            ).filter(offer__company__memberships__user_id__in=digest_members)
        )
        .distinct()
        .order_by("offer_id", "-score")
    )
    by_member = defaultdict(list)
    for match in pending:
        for member in _members(match.offer):
            if member.pk in digest_members:
                by_member[member].append(match)
    for member, matches in by_member.items():
        email_enqueue(
            key=f"matching:employer_digest:u{member.pk}:{yesterday.isoformat()}",
            to=member,
            template="matching/emails/employer_digest",
            context={
                "member": member,
                "matches": [_match_context(match) for match in matches[:DIGEST_MAX_ITEMS]],
                "count": len(matches),
                "day": yesterday,
            },
            kind=EMAIL_KINDS["employer_digest"],
        )
    return len(by_member)


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
    members = _members(match.offer)
    the_kit = match_kit(match, done={})
    _email_candidate(
        match,
        "connected_candidate",
        {"members": members, "kit": the_kit, "steps": the_kit.steps_for(Side.CANDIDATE)},
        concerns=members,
    )
    candidate_user = match.candidate.user
    _email_employer(
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
        _email_employer(match, "candidate_interested")
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
        _email_candidate(match, "employer_interested")
    elif target == MatchState.NO_FOLLOW_UP:
        match.declined_by = Side.EMPLOYER
        match.no_interest_reason = reason
    match.save()
    return match


def _offer_position_filled(offer: Offer) -> None:
    from offers.services import offer_position_filled  # import différé : offers.services appelle matching

    offer_position_filled(offer=offer)


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
        _offer_position_filled(match.offer)
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
    _alert_new_pairs(Match.objects.filter(pk=match.pk))
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
    expired = Match.objects.filter(
        state=MatchState.PROPOSED, created_at__lte=now - EXPIRE_AFTER, candidate_answered_at=None
    ).update(state=MatchState.EXPIRED, updated_at=now)
    due = (
        Q(state=MatchState.PROPOSED, created_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.CANDIDATE_INTERESTED, candidate_answered_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.EMPLOYER_INTERESTED, employer_answered_at__lte=now - REMINDER_AFTER)
    )
    reminded = 0
    for match in _with_relations(Match.objects.filter(due, is_active=True, reminded_at=None)):
        if (
            match.state in (MatchState.PROPOSED, MatchState.EMPLOYER_INTERESTED)
            and match.candidate.notification_frequency != NotificationFrequency.NONE
        ):
            _email_candidate(match, "reminder_candidate")
        if match.state in (MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED):
            _email_employer(match, "reminder_employer")
        Match.objects.filter(pk=match.pk).update(reminded_at=now)
        reminded += 1
    return {"reminded": reminded, "expired": expired}


# --- Et maintenant ? : de la mise en relation au contrat signé ------------------------------------------

KIT_STATES = (MatchState.CONNECTED, MatchState.INTERVIEW)  # les étapes se cochent jusqu'au contrat signé


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


@transaction.atomic
def matches_nudge_stalled(*, now=None) -> int:
    """Relance une fois les deux côtés d'une paire en relation sans étape cochée depuis `kit.STALL_DAYS` jours ;
    une étape cochée ensuite rouvre le délai (une nouvelle relance 10 jours plus tard si rien ne bouge)."""
    now = now or timezone.now()
    due = _with_relations(Match.objects.stalled(now).filter(Q(nudged_at=None) | Q(nudged_at__lt=F("last_progress_at"))))
    nudged = 0
    for match in due:
        stamp = match.last_progress_at.date().isoformat()
        the_kit = match_kit(match, today=timezone.localdate(now))
        context = {**_match_context(match), "kit": the_kit, "days": kit.STALL_DAYS}
        user = match.candidate.user
        if match.candidate.notification_frequency != NotificationFrequency.NONE:
            _sms_candidate(match, "kit_nudge_candidate", context)
            email_enqueue(
                key=f"matching:kit_nudge:u{user.pk}:m{match.pk}:{stamp}",
                to=user,
                template="matching/emails/kit_nudge_candidate",
                kind=EMAIL_KINDS["kit_nudge_candidate"],
                context={**context, "steps": the_kit.next_steps(Side.CANDIDATE)},
            )
        for member in _members(match.offer):
            email_enqueue(
                key=f"matching:kit_nudge:u{member.pk}:m{match.pk}:{stamp}",
                to=member,
                template="matching/emails/kit_nudge_employer",
                kind=EMAIL_KINDS["kit_nudge_employer"],
                context={**context, "member": member, "steps": the_kit.next_steps(Side.EMPLOYER)},
            )
        Match.objects.filter(pk=match.pk).update(nudged_at=now)
        nudged += 1
    return nudged
