"""Écritures sur les offres. Le cycle de vie d'une offre est un seul automate : `TRANSITIONS`."""

import datetime

from django.db import transaction
from django.utils import timezone

from employers import services as employer_services
from employers.enums import VerificationReason
from employers.models import approved_memberships_prefetch
from notifications.enums import EmailKind
from notifications.services import email_enqueue
from offers.enums import OfferStatus, ReportDecision, ReportReason, ReportTarget
from offers.models import Offer, Report
from offers.signals import offer_changed

OFFER_LIFETIME = datetime.timedelta(days=60)
REMINDER_DAYS = (7, 1)  # rappels avant expiration : J-7 et J-1
REPORTS_TO_SUSPEND = 3  # signalements de candidat·es distinct·es qui suspendent la mise en relation d'une offre


class OfferAction:
    PUBLISH = "publier"
    EXTEND = "prolonger"
    FILL = "pourvoir"
    EXPIRE = "expirer"
    ARCHIVE = "archiver"


# (état de départ, action) -> état d'arrivée. Toute autre combinaison est refusée.
TRANSITIONS = {
    (OfferStatus.DRAFT, OfferAction.PUBLISH): OfferStatus.PUBLISHED,
    (OfferStatus.DRAFT, OfferAction.ARCHIVE): OfferStatus.ARCHIVED,
    (OfferStatus.PUBLISHED, OfferAction.EXTEND): OfferStatus.PUBLISHED,
    (OfferStatus.PUBLISHED, OfferAction.FILL): OfferStatus.FILLED,
    (OfferStatus.PUBLISHED, OfferAction.EXPIRE): OfferStatus.EXPIRED,
    (OfferStatus.PUBLISHED, OfferAction.ARCHIVE): OfferStatus.ARCHIVED,
    (OfferStatus.EXPIRED, OfferAction.EXTEND): OfferStatus.PUBLISHED,
    (OfferStatus.EXPIRED, OfferAction.FILL): OfferStatus.FILLED,
    (OfferStatus.EXPIRED, OfferAction.ARCHIVE): OfferStatus.ARCHIVED,
    (OfferStatus.FILLED, OfferAction.ARCHIVE): OfferStatus.ARCHIVED,
}

ERROR_MESSAGES = {
    OfferAction.PUBLISH: "Seul un brouillon peut être publié. Pour remettre en ligne une offre expirée, prolongez-la.",
    OfferAction.EXTEND: "Seule une offre en ligne ou expirée peut être prolongée.",
    OfferAction.FILL: "Cette offre n'est plus en ligne : elle ne peut pas être marquée comme pourvue.",
    OfferAction.EXPIRE: "Seule une offre en ligne peut expirer.",
    OfferAction.ARCHIVE: "Cette offre est déjà archivée.",
}

EDITABLE_STATUSES = (OfferStatus.DRAFT, OfferStatus.PUBLISHED, OfferStatus.EXPIRED)
UPDATABLE_FIELDS = (
    "trade",
    "levels",
    "contract_types",
    "start_date",
    "positions",
    "commune",
    "description",
    "working_hours",
    "night_or_early_work",
    "driving_licence_required",
    "accepts_minors",
    "lba_consent",
)


class OfferTransitionError(Exception):
    """Changement d'état refusé ; le message, en français, s'affiche tel quel."""


def next_status(status: str, action: str) -> str:
    """L'état atteint par `action` depuis `status`, ou OfferTransitionError."""
    try:
        return TRANSITIONS[(OfferStatus(status), action)]
    except (KeyError, ValueError):
        raise OfferTransitionError(ERROR_MESSAGES[action]) from None


def can(offer: Offer, action: str) -> bool:
    return (OfferStatus(offer.status), action) in TRANSITIONS


def _rematch(offer: Offer) -> None:
    """Après tout changement d'une offre, `offer_changed` prévient ceux qui en dépendent : la mise en relation
    recalcule ses paires, la diffusion sur La bonne alternance suit."""
    offer_changed.send(sender=Offer, offer=offer)


def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer.pk)


def _apply(offer: Offer, locked: Offer, fields: list[str]) -> Offer:
    locked.save(update_fields=[*fields, "updated_at"])
    for field in [*fields, "updated_at"]:
        setattr(offer, field, getattr(locked, field))
    return offer


def _transition(offer: Offer, action, **fields) -> Offer:
    """Passe l'offre à l'état que la table des transitions donne pour `action` (ou refuse), avec `fields`."""
    locked = _locked(offer)
    locked.status = next_status(locked.status, action)
    for name, value in fields.items():
        setattr(locked, name, value)
    _apply(offer, locked, ["status", *fields])
    _rematch(offer)
    return offer


@transaction.atomic
def offer_create(*, company, publish: bool = False, **fields) -> Offer:
    """Crée une offre (brouillon), et la publie tout de suite si `publish`."""
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {sorted(unknown)}")
    offer = Offer.objects.create(company=company, status=OfferStatus.DRAFT, **fields)
    if publish:
        offer_publish(offer=offer)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, **fields) -> Offer:
    """Modifie une offre encore modifiable ; une offre en ligne est de nouveau mise en relation."""
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {sorted(unknown)}")
    locked = _locked(offer)
    if locked.status not in EDITABLE_STATUSES:
        raise OfferTransitionError(
            f"Cette offre est {locked.get_status_display().lower()} : elle ne peut plus être modifiée."
        )
    if fields.get("positions", locked.positions) < max(locked.filled_positions, 1):
        raise OfferTransitionError(
            f"{locked.filled_positions} poste(s) déjà pourvu(s) : le nombre de postes ne peut pas être inférieur."
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    _apply(offer, locked, list(fields))
    if locked.status == OfferStatus.PUBLISHED:
        _rematch(offer)
    return offer


@transaction.atomic
def offer_publish(*, offer: Offer) -> Offer:
    """Met un brouillon en ligne pour 60 jours."""
    now = timezone.now()
    return _transition(offer, OfferAction.PUBLISH, published_at=now, expires_at=now + OFFER_LIFETIME)


@transaction.atomic
def offer_extend(*, offer: Offer) -> Offer:
    """Prolonge une offre en ligne ou expirée : 60 jours à partir de maintenant."""
    return _transition(offer, OfferAction.EXTEND, expires_at=timezone.now() + OFFER_LIFETIME)


@transaction.atomic
def offer_archive(*, offer: Offer) -> Offer:
    """Retire définitivement l'offre."""
    return _transition(offer, OfferAction.ARCHIVE)


@transaction.atomic
def offer_expire(*, offer: Offer) -> Offer:
    return _transition(offer, OfferAction.EXPIRE)


@transaction.atomic
def offer_position_filled(*, offer: Offer) -> Offer:
    """Un contrat est signé pour cette offre : un poste de plus est pourvu ; l'offre est « pourvue » quand
    tous ses postes le sont. N'échoue pas si l'offre est déjà pourvue ou archivée (le contrat compte quand même)."""
    locked = _locked(offer)
    locked.filled_positions = min(locked.filled_positions + 1, locked.positions)
    fields = ["filled_positions"]
    if locked.filled_positions >= locked.positions and can(locked, OfferAction.FILL):
        locked.status = next_status(locked.status, OfferAction.FILL)
        fields.append("status")
    _apply(offer, locked, fields)
    _rematch(offer)
    return offer


def offers_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Fait expirer les offres en ligne dont la date est passée ; renvoie leur nombre."""
    now = now or timezone.now()
    count = 0
    for offer in Offer.objects.published().filter(expires_at__lte=now).order_by("pk"):
        try:
            offer_expire(offer=offer)
        except OfferTransitionError:  # changée entre-temps (prolongée, archivée…)
            continue
        count += 1
    return count


def offers_send_expiry_reminders(*, now: datetime.datetime | None = None) -> int:
    """Prévient les membres de l'entreprise 7 jours puis 1 jour avant l'expiration ; renvoie le nombre
    d'e-mails écrits. Chaque rappel a une clé unique (offre, date d'expiration, échéance) : jamais deux fois."""
    now = now or timezone.now()
    sent = 0
    horizon = now + datetime.timedelta(days=max(REMINDER_DAYS))
    offers = (
        Offer.objects.published()
        .filter(expires_at__gt=now, expires_at__lte=horizon)
        .select_related("company", "trade")
        .prefetch_related(approved_memberships_prefetch("company__"))
    )
    for offer in offers:
        remaining = offer.expires_at - now
        days = min(d for d in REMINDER_DAYS if remaining <= datetime.timedelta(days=d))
        with transaction.atomic():
            for member in offer.company.active_members():
                email = email_enqueue(
                    key=f"offer-expiry:{offer.pk}:{offer.expires_at:%Y%m%d%H%M}:j{days}:{member.pk}",
                    to=member,
                    template="offers/emails/expiry_reminder",
                    context={"user": member, "offer": offer, "days": days},
                    kind=EmailKind.PROFILE,
                )
                sent += email is not None
    return sent


def offers_rematch_for_company(*, company) -> int:
    """Recalcule (après le commit) les paires des offres en ligne de l'entreprise ; renvoie leur nombre."""
    offers = list(Offer.objects.published().filter(company=company))
    for offer in offers:
        _rematch(offer)
    return len(offers)


# --- Signalements ---------------------------------------------------------------------------------


class ReportError(Exception):
    """Signalement refusé ; le message, en français, s'affiche tel quel."""


@transaction.atomic
def report_create(*, offer: Offer, reporter, target: str, reason: str, text: str = "") -> Report:
    """Un·e candidat·e signale une offre ou son employeur. Au 3e signalement de candidat·es distinct·es
    (non encore décidés), la mise en relation de l'offre est suspendue jusqu'à la décision d'un·e conseiller·e.
    Un employeur signalé passe dans la liste « Entreprises à vérifier »."""
    if reason not in ReportReason.values or target not in ReportTarget.values:
        raise ReportError("Choisissez l'objet et le motif du signalement dans la liste.")
    locked = _locked(offer)
    if Report.objects.filter(offer=locked, reporter=reporter).exists():
        raise ReportError("Tu as déjà signalé cette offre : les conseiller·es de la CMA s'en occupent.")
    report = Report.objects.create(offer=locked, reporter=reporter, target=target, reason=reason, text=text.strip())
    employer_services.company_flag(company=locked.company, reason=VerificationReason.REPORTED)
    reporters = Report.objects.open().filter(offer=locked).values("reporter").distinct().count()
    if reporters >= REPORTS_TO_SUSPEND and not locked.matching_suspended:
        offer_matching_suspend(offer=offer)
    return report


@transaction.atomic
def offer_matching_suspend(*, offer: Offer) -> Offer:
    """Suspend la mise en relation de l'offre (elle reste en ligne) : ses paires sont désactivées."""
    locked = _locked(offer)
    locked.matching_suspended = True
    _apply(offer, locked, ["matching_suspended"])
    _rematch(offer)
    return offer


@transaction.atomic
def offer_reports_decide(*, offer: Offer, keep: bool) -> Offer:
    """Un·e conseiller·e décide des signalements ouverts de l'offre : gardée (mise en relation reprise) ou
    retirée (archivée)."""
    locked = _locked(offer)
    Report.objects.open().filter(offer=locked).update(
        decision=ReportDecision.KEPT if keep else ReportDecision.REMOVED, decided_at=timezone.now()
    )
    locked.matching_suspended = False
    _apply(offer, locked, ["matching_suspended"])
    if not keep and can(offer, OfferAction.ARCHIVE):
        return _transition(offer, OfferAction.ARCHIVE)
    _rematch(offer)
    return offer
