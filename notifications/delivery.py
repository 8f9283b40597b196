"""L'envoi des e-mails de l'outbox par le worker : par lots sur une connexion SMTP, avec la pause du serveur
d'envoi qui refuse tout (`MailServerPause`) et les adresses refusées (`UndeliverableAddress`)."""

import contextlib
import datetime
import hashlib
import logging
import smtplib
import time
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.enums import OutboxStatus, RefusalSource
from notifications.models import MailServerPause, OutboxEmail, UndeliverableAddress
from notifications.preferences import unsubscribe_headers

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
