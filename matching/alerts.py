"""Les e-mails et SMS des paires : nouvelles paires, réponses, relances, résumés quotidiens et relance
« Et maintenant ? » d'une paire en relation qui n'avance plus.

- `alert_new_pairs` : chaque côté d'une nouvelle paire est prévenu une fois (ou par le résumé quotidien).
- `send_daily_digests` : le résumé des candidat·es « quotidien » et des employeurs qui l'ont choisi.
- `matches_nudge_stalled` : relance des paires en relation sans étape cochée depuis `kit.STALL_DAYS` jours.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from candidates.enums import NotificationFrequency
from employers.models import approved_memberships_prefetch
from matching import kit
from matching.enums import MatchState, Side
from matching.models import Match
from matching.selectors import apprentice_pay, match_kit, match_reasons
from notifications.enums import EmailKind
from notifications.models import EmailPreference
from notifications.services import email_enqueue, sms_enqueue


def _key(event: str, user_id: int, match_id: int) -> str:
    return f"matching:{event}:u{user_id}:m{match_id}"


def match_context(match: Match) -> dict:
    offer = match.offer
    return {
        "match": match,
        "offer": offer,
        "trade": offer.trade.label,
        "company": offer.company.name,
        "place": offer.commune.name,
        "reasons": match_reasons(match),
        "candidate_commune": match.candidate.commune.name if match.candidate.commune_id else "",
        "pay": apprentice_pay(match),
    }


def offer_members(offer):
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


def email_candidate(match: Match, event: str, extra: dict | None = None, concerns=()) -> None:
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
        context={**match_context(match), **(extra or {})},
        concerns=concerns,
        kind=EMAIL_KINDS[event],
    )


def email_employer(match: Match, event: str, extra: dict | None = None, concerns=(), members=None) -> None:
    for user in offer_members(match.offer) if members is None else members:
        email_enqueue(
            key=_key(event, user.pk, match.pk),
            to=user,
            template=f"matching/emails/{event}",
            context={**match_context(match), "member": user, **(extra or {})},
            concerns=concerns,
            kind=EMAIL_KINDS[event],
        )


def with_relations(queryset):
    return queryset.select_related(
        "candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune"
    ).prefetch_related(approved_memberships_prefetch("offer__company__"))


def alert_new_pairs(queryset) -> int:
    """Alerte chaque côté des nouvelles paires pas encore annoncées (une fois par paire et par personne).

    Les paires à annoncer sont choisies en Python parmi celles de `queryset` (les paires d'un profil, d'une offre,
    d'un paquet) : filtrer d'emblée sur l'état en SQL laisserait SQLite lire l'index des états, qui compte des
    millions de paires proposées, au lieu de l'index des paires du profil ou de l'offre.
    """
    rows = queryset.values_list("pk", "is_active", "state", "candidate_alerted", "employer_alerted")
    ids = [
        pk
        for pk, active, state, candidate_alerted, employer_alerted in rows.iterator(chunk_size=2000)
        if active and state == MatchState.PROPOSED and not (candidate_alerted and employer_alerted)
    ]
    sent = 0
    candidate_done, employer_done = [], []
    digest_members = set(EmailPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True))
    for match in _read_in_chunks(ids):
        if not match.candidate_alerted:
            frequency = match.candidate.notification_frequency
            if frequency == NotificationFrequency.IMMEDIATE:
                email_candidate(match, "new_offer")
                sent += 1
            if frequency != NotificationFrequency.DAILY:  # le résumé quotidien s'en charge
                candidate_done.append(match.pk)
        if not match.employer_alerted:
            # Les membres qui ont choisi le résumé quotidien le reçoivent par `send_daily_digests`.
            members = [member for member in offer_members(match.offer) if member.pk not in digest_members]
            email_employer(match, "new_candidate", members=members)
            employer_done.append(match.pk)
            sent += 1
    Match.objects.filter(pk__in=candidate_done).update(candidate_alerted=True)
    Match.objects.filter(pk__in=employer_done).update(employer_alerted=True)
    return sent


def _read_in_chunks(ids, size=500):
    for start in range(0, len(ids), size):
        yield from with_relations(Match.objects.filter(pk__in=ids[start : start + size]))


@transaction.atomic
def send_daily_digests(*, now=None) -> int:
    """Un résumé par jour aux candidat·es « quotidien » : les nouvelles offres du jour, en un e-mail."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = with_relations(
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
            context={"matches": [match_context(match) for match in matches[:10]], "count": len(matches)},
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
        with_relations(
            Match.objects.filter(
                is_active=True, state=MatchState.PROPOSED, created_at__gte=start, created_at__lt=end
            ).filter(offer__company__memberships__user_id__in=digest_members)
        )
        .distinct()
        .order_by("offer_id", "-score")
    )
    by_member = defaultdict(list)
    for match in pending:
        for member in offer_members(match.offer):
            if member.pk in digest_members:
                by_member[member].append(match)
    for member, matches in by_member.items():
        email_enqueue(
            key=f"matching:employer_digest:u{member.pk}:{yesterday.isoformat()}",
            to=member,
            template="matching/emails/employer_digest",
            context={
                "member": member,
                "matches": [match_context(match) for match in matches[:DIGEST_MAX_ITEMS]],
                "count": len(matches),
                "day": yesterday,
            },
            kind=EMAIL_KINDS["employer_digest"],
        )
    return len(by_member)


@transaction.atomic
def matches_nudge_stalled(*, now=None) -> int:
    """Relance une fois les deux côtés d'une paire en relation sans étape cochée depuis `kit.STALL_DAYS` jours ;
    une étape cochée ensuite rouvre le délai (une nouvelle relance 10 jours plus tard si rien ne bouge)."""
    now = now or timezone.now()
    due = with_relations(Match.objects.stalled(now).filter(Q(nudged_at=None) | Q(nudged_at__lt=F("last_progress_at"))))
    nudged = 0
    for match in due:
        stamp = match.last_progress_at.date().isoformat()
        the_kit = match_kit(match, today=timezone.localdate(now))
        context = {**match_context(match), "kit": the_kit, "days": kit.STALL_DAYS}
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
        for member in offer_members(match.offer):
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
