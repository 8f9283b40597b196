"""L'outbox : chaque e-mail est écrit avec le changement qui le cause, puis envoyé par le worker."""

import datetime
import functools
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Un envoi réclamé depuis plus longtemps a été interrompu (worker arrêté) : il est repris.
STALE_CLAIM = datetime.timedelta(minutes=10)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1 min, 2 min, 4 min… plafonné à 6 h."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 360))


def message_id(key: str) -> str:
    """Identifiant de message stable : un même événement garde le même Message-ID."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@cestmachance.fr>"


def email_enqueue(*, key: str, to, template: str, context: dict, concerns: Iterable = ()) -> OutboxEmail | None:
    """Écrit l'e-mail `template` (`<template>_subject.txt` et `<template>_body.txt`) dans l'outbox.

    `to` : le compte destinataire (ou une adresse : son compte, s'il en a un). `concerns` : les autres
    comptes dont le message porte des données (nom, e-mail, téléphone…) ; le destinataire en fait toujours
    partie. Ils servent à effacer le message quand l'un d'eux est supprimé.
    À appeler dans la transaction du changement. Renvoie None si l'événement `key` a déjà son e-mail.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if isinstance(to, User):
        recipient, address = to, to.email
    else:
        recipient, address = User.objects.filter(email__iexact=to).first(), to
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    email, created = OutboxEmail.objects.get_or_create(
        key=key, defaults={"to": address, "subject": subject, "body": body}
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
    """Envoie un e-mail de l'outbox s'il est dû ; renvoie True s'il est parti."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.due(now)
        .filter(pk=email_id)
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": message_id(email.key)},
    )
    try:
        message.send()
    except Exception as exc:
        failed = email.attempts >= MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=email_id).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=now + retry_delay(email.attempts),
            last_error=f"{type(exc).__name__}"[:300],
        )
        logger.warning("Envoi de l'e-mail %s échoué (essai %s) : %s", email_id, email.attempts, type(exc).__name__)
        return False
    OutboxEmail.objects.filter(pk=email_id).update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def outbox_sweep(*, limit: int = 500) -> int:
    """Reprend les envois interrompus et envoie ce qui est dû ; renvoie le nombre d'e-mails partis."""
    now = timezone.now()
    OutboxEmail.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=OutboxStatus.PENDING
    )
    due = OutboxEmail.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    return sum(outbox_send(pk) for pk in list(due))
