"""L'outbox : chaque e-mail est écrit avec le changement qui le cause, puis envoyé par le worker."""

import base64
import contextlib
import datetime
import functools
import hashlib
import logging
import secrets
import smtplib
import time
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.phone import french_mobile as french_mobile_number
from notifications.enums import EmailKind, OutboxStatus, RefusalSource, SmsDelivery
from notifications.models import (
    EmailPreference,
    MailServerPause,
    OutboxEmail,
    OutboxSms,
    PhoneVerification,
    SmsSubscription,
    UndeliverableAddress,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # refus temporaires d'un même message avant d'y renoncer (une pause du serveur ne compte pas)
SERVER_PAUSE_AFTER = 3  # refus temporaires de suite, pour des messages différents : c'est le serveur qui refuse


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
    _send_after_commit(email.pk, requested=requested)
    return email


class _SendAfterCommit:
    """Le rappel qui, après la validation, met en file l'envoi des e-mails `ids` (une seule tâche)."""

    def __init__(self, email_id: int, requested: bool):
        self.ids = [email_id]
        self.requested = requested  # un e-mail que la personne attend (lien de connexion) : passe en priorité

    def __call__(self):
        from core.scheduler import PERSON_WAITING_PRIORITY
        from notifications.tasks import send_outbox_emails

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


def outbox_send(email_id: int) -> bool:
    """Envoie l'e-mail `email_id` de l'outbox s'il est dû (et seulement lui) ; renvoie True s'il est parti."""
    return _deliver([email_id], only_first=True) == 1


def outbox_deliver(*, first: Iterable[int] = (), limit: int | None = None, seconds: float | None = None) -> int:
    """Envoie les e-mails `first`, puis d'autres e-mails dus, les plus anciens d'abord, jusqu'à `limit` e-mails
    ou `seconds` secondes ; renvoie le nombre d'e-mails partis. Si aucun des `first` n'est plus dû (déjà
    partis, ou pris par un autre lot en cours), ne fait rien.

    Une connexion SMTP sert pour `OUTBOX_BATCH_SIZE` e-mails. Les e-mails sont réclamés par petits groupes
    (`CLAIM_CHUNK`) et chacun est noté « envoyé » dès que le serveur l'a accepté : un worker tué en cours de
    route ne peut faire repartir que l'e-mail qu'il envoyait (comme un envoi seul) ; les autres e-mails
    réclamés et pas encore essayés attendent `OUTBOX_STALE_CLAIM_SECONDS`, puis `outbox_sweep` les reprend.
    """
    return _deliver(first, limit=limit, seconds=seconds)


CLAIM_CHUNK = 10


def _deliver(first: Iterable[int], *, only_first=False, limit: int | None = None, seconds: float | None = None) -> int:
    """Envoie les e-mails réclamés par une connexion partagée ; renvoie le nombre d'e-mails partis.

    Un refus 5xx du destinataire est définitif : l'e-mail est marqué refusé et l'adresse n'est plus servie
    (`UndeliverableAddress`) ; les e-mails suivants partent. Un refus 4xx pour un message est réessayé plus
    tard avec son propre délai (`retry_delay`), les suivants partent aussi. Mais quand le serveur lui-même
    ne suit plus (connexion refusée, coupée, délai dépassé, 421, ou `SERVER_PAUSE_AFTER` refus 4xx de suite),
    l'outbox le met en pause (`MailServerPause`) : les e-mails attendent sans allonger leur délai, et tout
    l'arriéré repart dès qu'un essai passe. Le même Message-ID sert à chaque essai.
    """
    server = mail_server()
    if MailServerPause.objects.filter(server=server, paused_until__gt=timezone.now()).exists():
        return 0
    deadline = None if seconds is None else time.monotonic() + seconds
    connection = _Connection()
    sent = handled = 0
    streak = []  # refus 4xx de suite, pour des messages différents
    first = list(first)
    handled_first = not first  # sans e-mails désignés, on envoie ce qui est dû
    claimed: list[OutboxEmail] = []  # réclamés, pas encore essayés
    refused: set[str] = set()
    try:
        while True:
            if not claimed:
                if first:
                    claimed, first = _claim(pks=first[:CLAIM_CHUNK]), first[CLAIM_CHUNK:]
                    handled_first = handled_first or bool(claimed)
                    if not claimed:
                        continue
                elif only_first or not handled_first or (deadline is not None and time.monotonic() > deadline):
                    break
                else:
                    claimed = _claim(limit=CLAIM_CHUNK if limit is None else min(CLAIM_CHUNK, limit - handled))
                    if not claimed:
                        break
                addresses = {e.to.lower() for e in claimed if not e.requested}
                refused |= set(UndeliverableAddress.objects.filter(email__in=addresses).values_list("email", flat=True))
            email = claimed.pop(0)
            if not _still_ours(email):
                continue  # resté trop longtemps dans le groupe : repris par le balayage, peut-être déjà parti
            handled += 1
            if not email.requested and email.to.lower() in refused:
                OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxStatus.SKIPPED)
                continue
            try:
                connection.send(_message(email))
            except Exception as exc:
                if is_server_failure(exc):
                    connection.close()  # coupée ou dans un état inconnu : une nouvelle pour la suite
                if _failed(email, exc, server=server, streak=streak):
                    break  # le serveur est en pause
                if smtp_refusal(exc)[1] and is_permanent(exc):
                    refused.add(email.to.lower())
                continue
            _mark_sent(email.pk)
            if not sent:
                # Un envoi passé lève la pause du serveur (s'il y en avait une).
                MailServerPause.objects.filter(server=server, failures__gt=0).update(failures=0, paused_until=None)
            sent += 1
            streak.clear()
    finally:
        for email in claimed:  # pas essayés (pause du serveur, erreur) : rendus tels quels
            OutboxEmail.objects.filter(pk=email.pk, status=OutboxStatus.SENDING, claimed_at=email.claimed_at).update(
                status=OutboxStatus.PENDING, attempts=F("attempts") - 1
            )
        connection.close()
    return sent


def _still_ours(email: OutboxEmail) -> bool:
    """Juste avant l'envoi : l'e-mail réclamé avec son groupe l'est-il encore par nous ? Le balayage rend les
    réclamations plus vieilles que `OUTBOX_STALE_CLAIM_SECONDS` (un worker tué), et un autre worker a pu le
    reprendre. Si oui, la réclamation est rafraîchie : le balayage ne la reprendra pas pendant l'envoi."""
    now = timezone.now()
    mine = OutboxEmail.objects.filter(pk=email.pk, status=OutboxStatus.SENDING, claimed_at=email.claimed_at)
    if not mine.update(claimed_at=now):
        return False
    email.claimed_at = now
    return True


def _claim(*, pks: Iterable[int] = (), limit: int = 1) -> list[OutboxEmail]:
    """Réclame ceux des e-mails `pks` qui sont dus, ou (sans `pks`) jusqu'à `limit` e-mails dus, les plus
    anciens d'abord, qu'aucun autre worker n'est en train de réclamer.

    La réclamation est une mise à jour conditionnelle (« à envoyer » et dû) : deux workers ne réclament
    jamais le même e-mail."""
    now = timezone.now()
    due = OutboxEmail.objects.due(now)
    claim = {"status": OutboxStatus.SENDING, "claimed_at": now, "attempts": F("attempts") + 1}
    if pks:
        if not due.filter(pk__in=pks).update(**claim):
            return []
        ours = {e.pk: e for e in OutboxEmail.objects.filter(pk__in=pks, status=OutboxStatus.SENDING, claimed_at=now)}
        return [ours[pk] for pk in pks if pk in ours]
    with transaction.atomic():
        pks = list(
            due.select_for_update(skip_locked=True).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
        )
        if not pks:
            return []
        due.filter(pk__in=pks).update(**claim)
        # Les nôtres : verrouillés (PostgreSQL), ou réclamés à l'instant `now` par cette mise à jour (SQLite).
        return list(
            OutboxEmail.objects.filter(pk__in=pks, status=OutboxStatus.SENDING, claimed_at=now).order_by(
                "next_attempt_at"
            )
        )


def _message(email: OutboxEmail) -> EmailMessage:
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": message_id(email.key), **unsubscribe_headers(email)},
    )


def _failed(email: OutboxEmail, exc: Exception, *, server: str, streak: list) -> bool:
    """Note l'échec de l'envoi de `email` ; renvoie True si le serveur est mis en pause (fin de la série)."""
    code, recipient_refused = smtp_refusal(exc)
    error = f"{type(exc).__name__} {code or ''}".strip()  # jamais la réponse du serveur : elle cite l'adresse
    now = timezone.now()
    if is_permanent(exc):
        OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxStatus.REFUSED, last_error=error)
        if recipient_refused:
            address_refuse(email=email.to, smtp_code=code)
        logger.warning("E-mail %s refusé définitivement : %s", email.pk, error)
        streak.clear()
        return False
    if is_server_failure(exc):
        paused_until = server_pause(server, error)
        OutboxEmail.objects.filter(pk=email.pk).update(
            status=OutboxStatus.PENDING, next_attempt_at=paused_until, last_error=error
        )
        if streak:  # les refus précédents venaient du serveur, pas de leurs messages
            OutboxEmail.objects.filter(pk__in=streak).update(status=OutboxStatus.PENDING, next_attempt_at=paused_until)
        logger.warning("Serveur d'envoi en pause après l'e-mail %s : %s", email.pk, error)
        return True
    failed = email.attempts >= MAX_ATTEMPTS
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
        next_attempt_at=now + retry_delay(email.attempts),
        last_error=error,
    )
    logger.warning("Envoi de l'e-mail %s échoué (essai %s) : %s", email.pk, email.attempts, error)
    streak.append(email.pk)
    if len(streak) < SERVER_PAUSE_AFTER:
        return False
    paused_until = server_pause(server, error)
    OutboxEmail.objects.filter(pk__in=streak).update(status=OutboxStatus.PENDING, next_attempt_at=paused_until)
    logger.warning("Serveur d'envoi en pause après %s refus temporaires de suite", len(streak))
    return True


def is_server_failure(exc: Exception) -> bool:
    """L'échec vient du serveur ou de la connexion, pas du message : connexion refusée ou coupée, délai
    dépassé, certificat refusé, réponse 421 (le serveur ferme), refus de notre adresse d'expédition."""
    if not isinstance(exc, OSError):  # smtplib.SMTPException en hérite
        return False
    code, _ = smtp_refusal(exc)
    return code == 421 or not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError))


def mail_server() -> str:
    """Le serveur d'envoi de l'outbox (hôte et port du relais SMTP), qui nomme sa pause."""
    mailer = settings.MAILERS["default"]
    options = mailer.get("OPTIONS", {})
    if "host" in options:
        return f"{options['host']}:{options.get('port', 25)}"
    return mailer["BACKEND"]


def server_pause(server: str, error: str) -> datetime.datetime:
    """Met le serveur d'envoi en pause, plus longtemps à chaque échec de suite ; renvoie la fin de la pause."""
    MailServerPause.objects.get_or_create(server=server)
    MailServerPause.objects.filter(server=server).update(failures=F("failures") + 1)
    failures = MailServerPause.objects.get(server=server).failures
    paused_until = timezone.now() + pause_delay(failures)
    MailServerPause.objects.filter(server=server).update(paused_until=paused_until, last_error=error)
    return paused_until


def pause_delay(failures: int) -> datetime.timedelta:
    """`OUTBOX_RETRY_SECONDS`, puis le double à chaque pause de suite, jusqu'à `OUTBOX_PAUSE_MAX_SECONDS` : un
    relais revenu est servi au plus tard ce temps-là après son retour."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** min(failures - 1, 20)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_PAUSE_MAX_SECONDS))


class _Connection:
    """Une connexion au serveur d'envoi, ouverte au premier message et renouvelée tous les
    `OUTBOX_BATCH_SIZE` messages (beaucoup de relais limitent le nombre de messages par connexion)."""

    def __init__(self):
        self.backend = None
        self.count = 0

    def send(self, message: EmailMessage) -> None:
        if self.backend is None:
            self.backend = mail.mailers.default
            self.backend.open()
        self.backend.send_messages([message])
        self.count += 1
        if self.count >= settings.OUTBOX_BATCH_SIZE:
            self.close()

    def close(self) -> None:
        backend, self.backend, self.count = self.backend, None, 0
        if backend is not None:
            with contextlib.suppress(Exception):  # connexion déjà perdue : rien à fermer
                backend.close()


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


SWEEP_SECONDS = 240


def outbox_sweep(*, limit: int | None = None) -> int:
    """Reprend les envois interrompus et envoie ce qui est dû (tout l'arriéré, par lots sur une connexion,
    pendant `SWEEP_SECONDS` au plus) ; renvoie le nombre d'e-mails partis."""
    now = timezone.now()
    stale_claim = datetime.timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)
    OutboxEmail.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - stale_claim).update(
        status=OutboxStatus.PENDING
    )
    return outbox_deliver(limit=limit, seconds=SWEEP_SECONDS)


def address_refuse(*, email: str, smtp_code: int, source: str = RefusalSource.SMTP) -> UndeliverableAddress:
    """Note qu'un serveur de messagerie refuse définitivement `email` (ou que la personne s'en plaint) : plus
    rien n'y part."""
    address, _ = UndeliverableAddress.objects.get_or_create(
        email=email.lower(), defaults={"smtp_code": smtp_code, "source": source}
    )
    return address


@transaction.atomic
def address_confirm(*, email: str) -> bool:
    """La personne dit que son adresse fonctionne à nouveau : les envois reprennent. True si elle était refusée."""
    deleted, _ = UndeliverableAddress.objects.filter(email__iexact=email).delete()
    return bool(deleted)


# --- Désabonnement en un clic (RFC 8058) et préférences par sorte d'e-mail ------------------------------

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
SIGNATURE_CHARS = 22  # 132 bits de HMAC-SHA256 : assez, et l'adresse tient sur une ligne d'en-tête (78 caractères)


def _short_token(salt: str, value: str) -> str:
    """`value` et sa signature : un jeton court, sans date d'expiration (un lien de désabonnement doit marcher
    longtemps) ; il ne porte qu'un numéro de compte, jamais une adresse ni un numéro de téléphone."""
    digest = base64.urlsafe_b64encode(salted_hmac(salt, value, algorithm="sha256").digest()).decode()
    return f"{value}.{digest[:SIGNATURE_CHARS]}"  # « . » n'est pas dans l'alphabet base64 des URL


def _short_token_read(salt: str, token: str) -> str | None:
    value, _, _signature = (token or "").rpartition(".")
    return value if value and constant_time_compare(_short_token(salt, value), token) else None


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return _short_token(UNSUBSCRIBE_SALT, f"{user_id}-{EmailKind.values.index(kind)}")


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(compte, sorte) d'un jeton de `unsubscribe_token` ; None s'il est faux ou abîmé."""
    value = _short_token_read(UNSUBSCRIBE_SALT, token)
    user_id, _, index = (value or "").partition("-")
    if not (user_id.isdigit() and index.isdigit() and int(index) < len(EmailKind.values)):
        return None
    return int(user_id), EmailKind.values[int(index)]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    """L'adresse de désabonnement en un clic : courte, pour que l'en-tête List-Unsubscribe tienne sur une ligne
    (plus longue, elle serait découpée en « mots encodés » que les messageries ne lisent pas comme une adresse)."""
    return f"{settings.SITE_URL}/d/{unsubscribe_token(user_id=user_id, kind=kind)}"


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


# --- SMS : consentement, outbox, accusés de réception, STOP -------------------------------------------------

SMS_CODE_VALIDITY = datetime.timedelta(minutes=10)
SMS_CODE_MAX_TRIES = 5
SMS_CODES_PER_HOUR = 3
SMS_STOP_SALT = "notifications.sms-stop"
STOP_WORDS = frozenset({"STOP", "ARRET", "ARRÊT", "STOPSMS"})


class SmsError(Exception):
    """Demande impossible (numéro, code) ; le message, en français, peut être montré tel quel."""


def french_mobile(value: str) -> str:
    """Un mobile français au format international, ou SmsError."""
    number = french_mobile_number(value)
    if number is None:
        raise SmsError("Ce numéro n'est pas un mobile français. Exemple : 06 12 34 56 78.")
    return number


def sms_next_slot(now: datetime.datetime) -> datetime.datetime:
    """Le premier moment où un SMS peut partir : tout de suite, ou 8 h si l'on est entre 20 h et 8 h."""
    start, end = settings.SMS_QUIET_HOURS
    local = timezone.localtime(now)
    if local.hour >= start:
        local = (local + datetime.timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    elif local.hour < end:
        local = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return local if local != timezone.localtime(now) else now


def _day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _code_hash(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}".encode()).hexdigest()


def _sms_write(*, key: str, to: str, body: str, kind: str, recipient, when) -> OutboxSms | None:
    from notifications.tasks import send_outbox_sms

    sms, created = OutboxSms.objects.get_or_create(
        key=key, defaults={"to": to, "body": body, "kind": kind, "recipient": recipient, "next_attempt_at": when}
    )
    if not created:
        return None
    transaction.on_commit(functools.partial(send_outbox_sms.enqueue, sms.pk))
    return sms


def sms_stop_url(user_id: int) -> str:
    """Le lien d'arrêt de chaque SMS, court (chaque caractère compte dans le prix d'un SMS)."""
    return f"{settings.SITE_URL}/s/{_short_token(SMS_STOP_SALT, str(user_id))}"


def sms_stop_token_read(token: str) -> int | None:
    value = _short_token_read(SMS_STOP_SALT, token)
    return int(value) if value and value.isdigit() else None


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


def sms_send(sms_id: int) -> bool:
    """Envoie un SMS de l'outbox s'il est dû ; True s'il est parti. Comme `outbox_send` : réclamé d'abord, un
    refus (4xx) est définitif, une panne ou un délai dépassé est réessayé plus tard."""
    from notifications import sms as provider

    now = timezone.now()
    claimed = (
        OutboxSms.objects.due(now)
        .filter(pk=sms_id)
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = OutboxSms.objects.get(pk=sms_id)
    if message.kind:
        slot = sms_next_slot(now)
        if slot != now:  # la nuit est arrivée entre-temps : il attend le matin
            OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.PENDING, next_attempt_at=slot)
            return False
        subscription = SmsSubscription.objects.filter(user_id=message.recipient_id).first()
        if subscription is None or not subscription.wants(message.kind) or subscription.phone != message.to:
            OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.SKIPPED)
            return False
    try:
        receipt = provider.send(to=message.to, body=message.body, tag=message.key)
    except provider.SmsRefused as exc:
        OutboxSms.objects.filter(pk=sms_id).update(status=OutboxStatus.REFUSED, last_error=str(exc))
        logger.warning("SMS %s refusé par l'opérateur : %s", sms_id, exc)
        return False
    except provider.SmsTemporaryError as exc:
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxSms.objects.filter(pk=sms_id).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=now + retry_delay(message.attempts),
            last_error=str(exc)[:300],
        )
        logger.warning("Envoi du SMS %s échoué (essai %s) : %s", sms_id, message.attempts, exc)
        return False
    OutboxSms.objects.filter(pk=sms_id).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_id=receipt.provider_id,
        segments=receipt.segments,
        credits=receipt.credits,
    )
    return True


def sms_sweep(*, limit: int = 500) -> int:
    """Reprend les envois interrompus et envoie ce qui est dû (les SMS du matin compris)."""
    now = timezone.now()
    stale_claim = datetime.timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)
    OutboxSms.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - stale_claim).update(
        status=OutboxStatus.PENDING
    )
    due = OutboxSms.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    return sum(sms_send(pk) for pk in list(due))


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
