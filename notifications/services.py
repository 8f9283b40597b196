"""L'outbox : chaque e-mail ou SMS est écrit avec le changement qui le cause, puis envoyé par le worker
(`notifications.delivery`, `notifications.sms_delivery`) dans une tâche mise en file après la validation."""

import datetime
import functools
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.phone import french_mobile as french_mobile_number
from core.scheduler import PERSON_WAITING_PRIORITY
from notifications.enums import EmailKind, OutboxStatus, SmsDelivery
from notifications.models import OutboxEmail, OutboxSms, PhoneVerification, SmsSubscription, UndeliverableAddress
from notifications.preferences import is_unsubscribed, sms_stop_url, unsubscribe_url
from notifications.sms_delivery import sms_next_slot
from notifications.tasks import send_outbox_emails, send_outbox_sms


def email_enqueue(
    *,
    key: str,
    to,
    template: str,
    context: dict,
    concerns: Iterable = (),
    requested: bool = False,
    kind: str = EmailKind.ACCOUNT,
) -> OutboxEmail | None:
    """Écrit l'e-mail `template` (`<template>_subject.txt` et `<template>_body.txt`) dans l'outbox.

    `to` : le compte destinataire (ou une adresse : son compte, s'il en a un). `concerns` : les autres
    comptes dont le message porte des données (nom, e-mail, téléphone…) ; le destinataire en fait toujours
    partie. Ils servent à effacer le message quand l'un d'eux est supprimé.
    À appeler dans la transaction du changement. Renvoie None si l'événement `key` a déjà son e-mail.
    `requested` : la personne vient de le demander (lien de connexion) ; il part même si son adresse a été
    refusée, puisque la demande montre qu'elle s'en sert.
    `kind` : la sorte d'e-mail (`EmailKind`) ; rien n'est écrit si le compte destinataire s'en est désabonné.
    Chaque e-mail d'une sorte porte un lien de désabonnement (texte et en-têtes List-Unsubscribe) ; un e-mail
    demandé (lien de connexion) ou de sorte vide n'en porte pas.
    """
    User = get_user_model()
    if isinstance(to, User):
        recipient, address = to, to.email
    else:
        recipient, address = User.objects.filter(email__iexact=to).first(), to
    kind = "" if requested or recipient is None else kind
    if kind and is_unsubscribed(user=recipient, kind=kind):
        return None
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    if kind:
        body = (
            body.rstrip("\n")
            + "\n\n"
            + render_to_string(
                "notifications/_unsubscribe_footer.txt",
                {"url": unsubscribe_url(user_id=recipient.pk, kind=kind), "kind": EmailKind(kind).label, **context},
            )
        )
    email, created = OutboxEmail.objects.get_or_create(
        key=key,
        defaults={
            "to": address,
            "subject": subject,
            "body": body,
            "requested": requested,
            "kind": kind,
            "recipient": recipient,
        },
    )
    if not created:
        return None
    people = {user.pk for user in concerns if user is not None and user.pk}
    if recipient is not None:
        people.add(recipient.pk)
    if people:
        email.concerns.add(*people)
    _send_after_commit(email.pk, requested=requested)
    return email


class _SendAfterCommit:
    """Le rappel qui, après la validation, met en file l'envoi des e-mails `ids` (une seule tâche)."""

    def __init__(self, email_id: int, requested: bool):
        self.ids = [email_id]
        self.requested = requested  # un e-mail que la personne attend (lien de connexion) : passe en priorité

    def __call__(self):
        task = send_outbox_emails.using(priority=PERSON_WAITING_PRIORITY) if self.requested else send_outbox_emails
        task.enqueue(self.ids)


def _send_after_commit(email_id: int, *, requested: bool) -> None:
    """Après la validation, une tâche envoie l'e-mail. Ceux qu'une même transaction écrit (les alertes d'une
    offre, par exemple) partent ensemble : une tâche et une connexion SMTP pour tous. Le rappel n'est partagé
    qu'au même niveau de point de sauvegarde : annulé, il n'emporte que des e-mails annulés avec lui."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        savepoints, callback, _robust = connection.run_on_commit[-1]
        if isinstance(callback, _SendAfterCommit) and savepoints == set(connection.savepoint_ids):
            callback.ids.append(email_id)
            callback.requested |= requested
            return
    transaction.on_commit(_SendAfterCommit(email_id, requested))


def outbox_redact(emails) -> int:
    """Efface l'objet et le texte des e-mails `emails` (un QuerySet) ; ceux qui ne sont pas encore partis
    sont supprimés (ils ne partiront plus). Renvoie le nombre d'e-mails effacés ou supprimés."""
    _, deleted = emails.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).delete()
    blanked = emails.filter(redacted_at__isnull=True).update(subject="", body="", redacted_at=timezone.now())
    return blanked + deleted.get(OutboxEmail._meta.label, 0)


@transaction.atomic
def address_confirm(*, email: str) -> bool:
    """La personne dit que son adresse fonctionne à nouveau : les envois reprennent. True si elle était refusée."""
    deleted, _ = UndeliverableAddress.objects.filter(email__iexact=email).delete()
    return bool(deleted)


# --- SMS : consentement, outbox, accusés de réception, STOP -------------------------------------------------

SMS_CODE_VALIDITY = datetime.timedelta(minutes=10)
SMS_CODE_MAX_TRIES = 5
SMS_CODES_PER_HOUR = 3
STOP_WORDS = frozenset({"STOP", "ARRET", "ARRÊT", "STOPSMS"})


class SmsError(Exception):
    """Demande impossible (numéro, code) ; le message, en français, peut être montré tel quel."""


def french_mobile(value: str) -> str:
    """Un mobile français au format international, ou SmsError."""
    number = french_mobile_number(value)
    if number is None:
        raise SmsError("Ce numéro n'est pas un mobile français. Exemple : 06 12 34 56 78.")
    return number


def _day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _code_hash(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}".encode()).hexdigest()


def _sms_write(*, key: str, to: str, body: str, kind: str, recipient, when) -> OutboxSms | None:
    sms, created = OutboxSms.objects.get_or_create(
        key=key, defaults={"to": to, "body": body, "kind": kind, "recipient": recipient, "next_attempt_at": when}
    )
    if not created:
        return None
    transaction.on_commit(functools.partial(send_outbox_sms.enqueue, sms.pk))
    return sms


def sms_enqueue(*, key: str, to, template: str, context: dict, kind: str, now=None) -> OutboxSms | None:
    """Écrit le SMS `<template>_sms.txt` pour le compte `to` s'il a choisi cette sorte par SMS (mobile vérifié,
    pas de STOP), dans la limite de `SMS_DAILY_CAP` par jour ; entre 20 h et 8 h, il attend 8 h.
    À appeler dans la transaction du changement. None : pas de SMS (pas choisi, limite du jour atteinte, déjà
    écrit)."""
    subscription = SmsSubscription.objects.filter(user=to).first()
    if subscription is None or not subscription.wants(kind):
        return None
    when = sms_next_slot(now or timezone.now())
    start, end = _day_bounds(when)
    that_day = OutboxSms.objects.filter(recipient=to, next_attempt_at__gte=start, next_attempt_at__lt=end)
    if that_day.exclude(kind="").count() >= settings.SMS_DAILY_CAP:
        return None
    text = " ".join(render_to_string(f"{template}_sms.txt", {"SITE_URL": settings.SITE_URL, **context}).split())
    body = f"{text}\nStop SMS : {sms_stop_url(to.pk)}"
    return _sms_write(key=key, to=subscription.phone, body=body, kind=kind, recipient=to, when=when)


@transaction.atomic
def phone_verification_start(*, user, phone: str) -> PhoneVerification:
    """Envoie un code à 6 chiffres au mobile `phone` (valable 10 minutes) ; 3 codes par heure au plus."""
    number = french_mobile(phone)
    now = timezone.now()
    recent = PhoneVerification.objects.filter(user=user, created_at__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= SMS_CODES_PER_HOUR:
        raise SmsError("Trois codes ont déjà été envoyés cette heure-ci. Nouvel essai possible dans une heure.")
    code = f"{secrets.randbelow(10**6):06d}"
    verification = PhoneVerification.objects.create(
        user=user, phone=number, code_hash=_code_hash(code), expires_at=now + SMS_CODE_VALIDITY
    )
    body = f"C'est ma chance : code de vérification {code}, valable 10 minutes."
    _sms_write(key=f"sms-code:{verification.pk}", to=number, body=body, kind="", recipient=user, when=now)
    return verification


def phone_verification_confirm(*, user, code: str) -> SmsSubscription:
    """Vérifie le dernier code envoyé à `user` ; 5 essais, 10 minutes. Le mobile vérifié reçoit les SMS choisis.
    Un essai faux est compté (enregistré) avant que l'erreur ne parte."""
    with transaction.atomic():
        result = _phone_verification_try(user=user, code=code)
    if isinstance(result, str):
        raise SmsError(result)
    return result


def _phone_verification_try(*, user, code: str) -> SmsSubscription | str:
    verification = (
        PhoneVerification.objects.select_for_update()
        .filter(user=user, verified_at=None)
        .order_by("-created_at")
        .first()
    )
    if verification is None:
        return "Aucun code en attente : il faut d'abord demander un code."
    if verification.attempts >= SMS_CODE_MAX_TRIES:
        return "Trop d'essais pour ce code : il faut en demander un nouveau."
    if verification.expires_at <= timezone.now():
        return "Ce code a expiré : il faut en demander un nouveau."
    verification.attempts += 1
    if not secrets.compare_digest(verification.code_hash, _code_hash((code or "").strip())):
        verification.save(update_fields=["attempts"])
        left = SMS_CODE_MAX_TRIES - verification.attempts
        if left:
            return f"Code incorrect : encore {left} essai{'s' if left > 1 else ''}."
        return "Code incorrect, et c'était le dernier essai : il faut demander un nouveau code."
    verification.verified_at = timezone.now()
    verification.save(update_fields=["attempts", "verified_at"])
    subscription, _ = SmsSubscription.objects.select_for_update().get_or_create(user=user)
    subscription.phone, subscription.verified_at, subscription.stopped_at = verification.phone, timezone.now(), None
    subscription.save()
    return subscription


@transaction.atomic
def sms_kinds_set(*, user, kinds: Iterable[str]) -> SmsSubscription:
    """Les sortes de messages que `user` veut aussi par SMS ; choisir à nouveau annule un STOP."""
    subscription, _ = SmsSubscription.objects.select_for_update().get_or_create(user=user)
    subscription.kinds = [kind for kind in EmailKind.values if kind in set(kinds)]
    subscription.stopped_at = None if subscription.kinds else subscription.stopped_at
    subscription.save()
    return subscription


def sms_stop(*, user_id: int) -> bool:
    """Plus aucun SMS pour ce compte (STOP ou lien d'arrêt) ; les SMS en attente ne partiront pas."""
    stopped = SmsSubscription.objects.filter(user_id=user_id, stopped_at=None).update(stopped_at=timezone.now())
    OutboxSms.objects.filter(recipient_id=user_id, status=OutboxStatus.PENDING).exclude(kind="").update(
        status=OutboxStatus.SKIPPED, last_error="STOP"
    )
    return bool(stopped)


SMS_DELIVERY_EVENTS = {
    "delivered": SmsDelivery.DELIVERED,
    "soft_bounce": SmsDelivery.SOFT_BOUNCE,
    "softBounce": SmsDelivery.SOFT_BOUNCE,
    "hard_bounce": SmsDelivery.HARD_BOUNCE,
    "hardBounce": SmsDelivery.HARD_BOUNCE,
}


@transaction.atomic
def sms_event(payload: dict) -> str:
    """Un événement de l'opérateur : accusé de réception (noté sur le SMS) ou réponse (STOP : plus de SMS).
    Renvoie ce qui a été fait, sans numéro : « recu », « stop », « inconnu », « ignore »."""
    status = str(payload.get("msg_status") or payload.get("event") or "")
    if status in SMS_DELIVERY_EVENTS:
        updated = OutboxSms.objects.filter(provider_id=str(payload.get("messageId", "")), provider_id__gt="").update(
            delivery=SMS_DELIVERY_EVENTS[status], delivered_at=timezone.now()
        )
        return SMS_DELIVERY_EVENTS[status].value if updated else "inconnu"
    if status in ("reply", "replied", "replies"):
        words = str(payload.get("reply") or payload.get("text") or "").strip().upper().split()
        if not words or words[0] not in STOP_WORDS:
            return "ignore"
        phone = "+" + str(payload.get("to") or payload.get("from") or "").lstrip("+")
        user_ids = list(SmsSubscription.objects.filter(phone=phone).values_list("user_id", flat=True))
        if not user_ids:
            return "inconnu"
        for user_id in user_ids:
            sms_stop(user_id=user_id)
        return "stop"
    return "ignore"
