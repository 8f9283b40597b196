"""L'outbox : chaque e-mail est écrit avec le changement qui le cause, puis envoyé par le worker."""

import datetime
import functools
import hashlib
import logging
import smtplib
import time
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.enums import EmailKind, OutboxStatus
from notifications.models import EmailPreference, OutboxEmail, UndeliverableAddress

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> datetime.timedelta:
    """1 min, 2 min, 4 min… plafonné à 6 h (`OUTBOX_RETRY_SECONDS` règle le premier délai)."""
    return datetime.timedelta(seconds=min(settings.OUTBOX_RETRY_SECONDS * 2 ** min(attempts - 1, 20), 6 * 3600))


def smtp_refusal(exc: Exception) -> tuple[int | None, bool]:
    """Le code SMTP d'un échec d'envoi (None sans réponse du serveur) et s'il vise le destinataire."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return max(code for code, _ in exc.recipients.values()), True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, False
    return None, False


def is_permanent(exc: Exception) -> bool:
    """Un refus 5xx est définitif, sauf celui de notre propre adresse d'expédition (erreur de réglage, à
    corriger chez nous : on réessaie). Les refus 4xx, délais dépassés et connexions coupées sont temporaires."""
    code, _ = smtp_refusal(exc)
    return code is not None and 500 <= code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused)


def message_id(key: str) -> str:
    """Identifiant de message stable : un même événement garde le même Message-ID."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@cestmachance.fr>"


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
    from django.contrib.auth import get_user_model

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
    from notifications.tasks import send_outbox_email

    transaction.on_commit(functools.partial(send_outbox_email.enqueue, email.pk))
    return email


def outbox_redact(emails) -> int:
    """Efface l'objet et le texte des e-mails `emails` (un QuerySet) ; ceux qui ne sont pas encore partis
    sont supprimés (ils ne partiront plus). Renvoie le nombre d'e-mails effacés ou supprimés."""
    _, deleted = emails.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).delete()
    blanked = emails.filter(redacted_at__isnull=True).update(subject="", body="", redacted_at=timezone.now())
    return blanked + deleted.get(OutboxEmail._meta.label, 0)


def outbox_send(email_id: int) -> bool:
    """Envoie un e-mail de l'outbox s'il est dû ; renvoie True s'il est parti.

    Un refus 5xx du destinataire est définitif : l'e-mail est marqué refusé et l'adresse n'est plus servie
    (`UndeliverableAddress`). Tout autre échec (4xx, délai dépassé, connexion coupée ou refusée) est
    réessayé plus tard, avec le même Message-ID.
    """
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.due(now)
        .filter(pk=email_id)
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    if not email.requested and UndeliverableAddress.objects.filter(email__iexact=email.to).exists():
        OutboxEmail.objects.filter(pk=email_id).update(status=OutboxStatus.SKIPPED)
        return False
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": message_id(email.key), **unsubscribe_headers(email)},
    )
    try:
        message.send()
    except Exception as exc:
        code, recipient_refused = smtp_refusal(exc)
        error = f"{type(exc).__name__} {code or ''}".strip()  # jamais la réponse du serveur : elle cite l'adresse
        if is_permanent(exc):
            OutboxEmail.objects.filter(pk=email_id).update(status=OutboxStatus.REFUSED, last_error=error)
            if recipient_refused:
                address_refuse(email=email.to, smtp_code=code)
            logger.warning("E-mail %s refusé définitivement : %s", email_id, error)
            return False
        failed = email.attempts >= MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=email_id).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=now + retry_delay(email.attempts),
            last_error=error,
        )
        logger.warning("Envoi de l'e-mail %s échoué (essai %s) : %s", email_id, email.attempts, error)
        return False
    _mark_sent(email_id)
    return True


MARK_SENT_RETRY_SECONDS = 60


def _mark_sent(email_id: int) -> None:
    """Note l'e-mail comme parti. Le serveur SMTP l'a accepté : si la base redémarre à cet instant, on
    réessaie (une minute au plus) plutôt que de le laisser « en cours », ce qui le ferait repartir."""
    deadline = time.monotonic() + MARK_SENT_RETRY_SECONDS
    while True:
        try:
            OutboxEmail.objects.filter(pk=email_id).update(
                status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
            )
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise
            logger.warning("Base indisponible pour noter l'e-mail %s envoyé : nouvel essai", email_id)
            connection.close()
            time.sleep(1)


def outbox_sweep(*, limit: int = 500) -> int:
    """Reprend les envois interrompus et envoie ce qui est dû ; renvoie le nombre d'e-mails partis."""
    now = timezone.now()
    stale_claim = datetime.timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)
    OutboxEmail.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - stale_claim).update(
        status=OutboxStatus.PENDING
    )
    due = OutboxEmail.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    return sum(outbox_send(pk) for pk in list(due))


def address_refuse(*, email: str, smtp_code: int) -> UndeliverableAddress:
    """Note qu'un serveur de messagerie refuse définitivement `email` : plus rien n'y part."""
    address, _ = UndeliverableAddress.objects.get_or_create(email=email.lower(), defaults={"smtp_code": smtp_code})
    return address


@transaction.atomic
def address_confirm(*, email: str) -> bool:
    """La personne dit que son adresse fonctionne à nouveau : les envois reprennent. True si elle était refusée."""
    deleted, _ = UndeliverableAddress.objects.filter(email__iexact=email).delete()
    return bool(deleted)


# --- Désabonnement en un clic (RFC 8058) et préférences par sorte d'e-mail ------------------------------

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """Jeton signé (sans date d'expiration : un lien de désabonnement doit marcher longtemps) ; il ne porte que
    le numéro du compte et la sorte d'e-mail, jamais une adresse."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(compte, sorte) d'un jeton de `unsubscribe_token` ; None s'il est faux ou abîmé."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or kind not in EmailKind.values:
        return None
    return user_id, kind


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    return f"{settings.SITE_URL}/e-mails/desabonnement/{unsubscribe_token(user_id=user_id, kind=kind)}"


def unsubscribe_headers(email: OutboxEmail) -> dict:
    """Les en-têtes List-Unsubscribe et List-Unsubscribe-Post (désabonnement en un clic, RFC 8058) d'un e-mail
    de l'outbox ; aucun pour un lien de connexion."""
    if not email.kind or email.recipient_id is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=email.recipient_id, kind=email.kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_preference_of(user) -> EmailPreference:
    """Les préférences de `user` (non enregistrées s'il n'en a jamais choisi)."""
    preference = EmailPreference.objects.filter(user=user).first()
    return preference or EmailPreference(user=user)


def is_unsubscribed(*, user, kind: str) -> bool:
    return kind in email_preference_of(user).unsubscribed


@transaction.atomic
def email_unsubscribe(*, user, kind: str) -> bool:
    """Désabonne `user` de la sorte `kind` ; renvoie False s'il l'était déjà."""
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    if kind in preference.unsubscribed:
        return False
    preference.unsubscribed = sorted({*preference.unsubscribed, kind})
    preference.save(update_fields=["unsubscribed", "updated_at"])
    return True


@transaction.atomic
def email_preferences_set(*, user, subscribed: Iterable[str], daily_digest: bool | None = None) -> EmailPreference:
    """Enregistre les sortes que `user` veut recevoir (les autres sont désabonnées) et, pour un employeur, le
    résumé quotidien des nouveaux profils."""
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    wanted = set(subscribed)
    preference.unsubscribed = [kind for kind in EmailKind.values if kind not in wanted]
    if daily_digest is not None:
        preference.daily_digest = daily_digest
    preference.save()
    return preference
