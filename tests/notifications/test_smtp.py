"""L'outbox face à un vrai serveur SMTP : accepté, STARTTLS, refus 4xx et 5xx, serveur muet, connexion coupée."""

import datetime

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import delivery, services
from notifications.enums import OutboxStatus
from notifications.models import MailServerPause, OutboxEmail, UndeliverableAddress

pytestmark = pytest.mark.django_db


def outbox_email(key="alerte-1", to="lea@example.org", **fields):
    return OutboxEmail.objects.create(key=key, to=to, subject="Une offre pour toi", body="Bonjour Léa", **fields)


def make_due():
    """Le temps passe : les e-mails en attente sont dus, la pause du serveur d'envoi est finie."""
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    MailServerPause.objects.update(paused_until=timezone.now())


def test_email_goes_through_smtp_with_its_message_id(smtp_server):
    email = outbox_email()
    assert delivery.outbox_send(email.pk) is True
    [received] = smtp_server.messages
    assert received.recipients == ("lea@example.org",)
    assert received.message_id == delivery.message_id("alerte-1")
    assert received.subject == "Une offre pour toi"
    assert received.tls is False
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT


def test_starttls_with_a_verified_certificate(smtp_server_tls):
    email = outbox_email()
    assert delivery.outbox_send(email.pk) is True
    [received] = smtp_server_tls.messages
    assert received.tls is True


def test_untrusted_certificate_is_not_accepted_and_retried(smtp_server_tls, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    email = outbox_email()
    assert delivery.outbox_send(email.pk) is False
    email.refresh_from_db()
    assert email.status == OutboxStatus.PENDING
    assert email.last_error == "SSLCertVerificationError"
    assert smtp_server_tls.messages == []


def test_temporary_refusal_is_retried_later_with_backoff(smtp_server):
    smtp_server.refuse_all = (451, "4.3.0 Réessayez plus tard")
    email = outbox_email()
    assert delivery.outbox_send(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboxStatus.PENDING, 1, "SMTPRecipientsRefused 451")
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)

    make_due()
    assert delivery.outbox_sweep() == 0  # toujours refusé : le délai double
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=110)
    assert not UndeliverableAddress.objects.exists()

    smtp_server.reset()
    make_due()
    assert delivery.outbox_sweep() == 1
    assert smtp_server.message_ids() == [delivery.message_id("alerte-1")]
    assert smtp_server.refusals == {451: 2}


def test_permanent_refusal_stops_at_once_and_marks_the_address(smtp_server):
    smtp_server.refuse["lea@example.org"] = (550, "5.1.1 Boîte inconnue")
    refused = outbox_email()
    other = outbox_email(key="alerte-2", to="sam@example.org")
    assert delivery.outbox_send(refused.pk) is False
    assert delivery.outbox_send(other.pk) is True
    refused.refresh_from_db()
    assert (refused.status, refused.attempts, refused.last_error) == (
        OutboxStatus.REFUSED,
        1,
        "SMTPRecipientsRefused 550",
    )
    address = UndeliverableAddress.objects.get()
    assert (address.email, address.smtp_code) == ("lea@example.org", 550)

    make_due()
    assert delivery.outbox_sweep() == 0  # jamais réessayé
    assert smtp_server.refusals == {550: 1}


def test_no_more_mail_to_a_refused_address_except_what_the_person_asks_for(smtp_server):
    delivery.address_refuse(email="Lea@Example.org", smtp_code=550)
    alert = outbox_email(to="lea@example.org")
    login_link = outbox_email(key="magic-link:1", to="lea@example.org", requested=True)
    assert delivery.outbox_send(alert.pk) is False
    assert delivery.outbox_send(login_link.pk) is True
    alert.refresh_from_db()
    assert alert.status == OutboxStatus.SKIPPED
    assert smtp_server.message_ids() == [delivery.message_id("magic-link:1")]

    assert services.address_confirm(email="lea@example.org") is True
    later = outbox_email(key="alerte-3", to="lea@example.org")
    assert delivery.outbox_send(later.pk) is True


def test_silent_server_times_out_and_the_email_is_retried(smtp_server, settings):
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 0.5
    smtp_server.hang = 5
    email = outbox_email()
    started = timezone.now()
    assert delivery.outbox_send(email.pk) is False
    assert timezone.now() - started < datetime.timedelta(seconds=3)
    email.refresh_from_db()
    # smtplib signale le délai dépassé comme une connexion perdue (« Connection unexpectedly closed: timed out »).
    assert (email.status, email.last_error) == (OutboxStatus.PENDING, "SMTPServerDisconnected")

    smtp_server.hang = 0
    make_due()
    assert delivery.outbox_sweep() == 1
    assert smtp_server.message_ids() == [delivery.message_id("alerte-1")]


def test_dropped_connection_is_retried(smtp_server):
    smtp_server.drop = True
    email = outbox_email()
    assert delivery.outbox_send(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.last_error) == (OutboxStatus.PENDING, "SMTPServerDisconnected")

    smtp_server.drop = False
    make_due()
    assert delivery.outbox_sweep() == 1
    assert delivery.outbox_sweep() == 0


def test_every_email_reaches_the_server_exactly_once_through_failures(smtp_server, settings):
    """Refus temporaires, serveur muet, connexion coupée : à la fin, chaque Message-ID une seule fois."""
    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(6)]
    faults = [
        lambda: setattr(smtp_server, "refuse_all", (421, "4.7.0 Trop de connexions")),
        lambda: setattr(smtp_server, "drop", True),
        lambda: setattr(smtp_server, "hang", 5),
    ]
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 0.5
    for fault in faults:
        smtp_server.reset()
        fault()
        make_due()
        delivery.outbox_sweep()
    smtp_server.reset()
    for _ in range(2):
        make_due()
        delivery.outbox_sweep()
    ids = smtp_server.message_ids()
    assert sorted(ids) == sorted(delivery.message_id(email.key) for email in emails)
    assert len(ids) == len(set(ids))
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="PostgreSQL seulement"
)
def test_database_restart_right_after_acceptance_does_not_send_twice(smtp_server):
    """La base coupe la connexion du worker entre le 250 du serveur SMTP et l'écriture « envoyé » : l'outbox
    se reconnecte et le note, au lieu de laisser l'e-mail « en cours » (il repartirait une seconde fois)."""
    email = outbox_email()
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    db = connection.settings_dict

    def terminate_worker_connection(_received):
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
            password=db["PASSWORD"] or None, autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])

    smtp_server.on_accept = terminate_worker_connection
    assert delivery.outbox_send(email.pk) is True
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    smtp_server.on_accept = None
    OutboxEmail.objects.update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert delivery.outbox_sweep() == 0
    assert smtp_server.message_ids() == [delivery.message_id("alerte-1")]


# --- Envois par lots : une connexion pour plusieurs e-mails, pause du serveur qui refuse tout ---------------


def test_a_backlog_goes_through_one_connection(smtp_server):
    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(5)]
    assert delivery.outbox_sweep() == 5
    assert smtp_server.connections == 1
    assert sorted(smtp_server.message_ids()) == sorted(delivery.message_id(e.key) for e in emails)
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def test_the_connection_is_renewed_after_a_batch(smtp_server, settings):
    settings.OUTBOX_BATCH_SIZE = 2
    for n in range(5):
        outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org")
    assert delivery.outbox_sweep() == 5
    assert smtp_server.connections == 3


def test_the_task_of_one_email_takes_the_others_due_over_its_connection(smtp_server):
    from notifications.tasks import send_outbox_email

    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(4)]
    assert send_outbox_email.call(emails[2].pk) == 4
    assert smtp_server.message_ids()[0] == delivery.message_id("alerte-2")  # le sien d'abord
    assert smtp_server.connections == 1
    assert send_outbox_email.call(emails[0].pk) == 0  # déjà parti avec le lot : rien ne repart
    assert len(smtp_server.messages) == 4


def test_a_refused_recipient_in_a_batch_does_not_stop_the_others(smtp_server):
    """Un 4xx pour un message : lui seul attend (son propre délai) ; un 5xx : lui seul est refusé."""
    smtp_server.refuse["plein@example.org"] = (452, "4.2.2 Boîte pleine")
    smtp_server.refuse["inconnu@example.org"] = (550, "5.1.1 Boîte inconnue")
    outbox_email(key="a", to="lea@example.org")
    full = outbox_email(key="b", to="plein@example.org")
    unknown = outbox_email(key="c", to="inconnu@example.org")
    outbox_email(key="d", to="sam@example.org")
    assert delivery.outbox_sweep() == 2
    assert smtp_server.connections == 1
    assert sorted(smtp_server.message_ids()) == sorted([delivery.message_id("a"), delivery.message_id("d")])
    full.refresh_from_db()
    assert (full.status, full.last_error) == (OutboxStatus.PENDING, "SMTPRecipientsRefused 452")
    assert full.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    unknown.refresh_from_db()
    assert unknown.status == OutboxStatus.REFUSED
    assert UndeliverableAddress.objects.get().email == "inconnu@example.org"
    assert not MailServerPause.objects.filter(paused_until__isnull=False).exists()  # pas le serveur en cause


def test_a_server_refusing_everyone_is_paused_then_the_whole_backlog_leaves_at_once(smtp_server, time_machine):
    """451 pour tout le monde : quelques essais, puis pause du serveur, sans allonger le délai de chaque
    e-mail ; dès la fin de la pause, un essai qui passe envoie tout l'arriéré, par une connexion."""
    time_machine.move_to(timezone.now(), tick=False)
    smtp_server.refuse_all = (451, "4.3.2 Service momentanément indisponible")
    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(10)]
    assert delivery.outbox_sweep() == 0
    assert smtp_server.refusals == {451: delivery.SERVER_PAUSE_AFTER}
    pause = MailServerPause.objects.get()
    assert (pause.failures, pause.paused_until) == (1, timezone.now() + delivery.pause_delay(1))
    assert max(OutboxEmail.objects.values_list("next_attempt_at", flat=True)) <= pause.paused_until
    assert sum(OutboxEmail.objects.values_list("attempts", flat=True)) == delivery.SERVER_PAUSE_AFTER

    assert delivery.outbox_sweep() == 0  # pendant la pause : rien n'est essayé
    assert smtp_server.refusals == {451: delivery.SERVER_PAUSE_AFTER}
    time_machine.shift(delivery.pause_delay(1))
    assert delivery.outbox_sweep() == 0  # fin de la pause : un nouvel essai, refusé, pause doublée
    pause.refresh_from_db()
    assert (pause.failures, pause.paused_until) == (2, timezone.now() + delivery.pause_delay(2))
    assert delivery.pause_delay(2) == 2 * delivery.pause_delay(1)

    smtp_server.reset()
    time_machine.shift(delivery.pause_delay(2))
    connections = smtp_server.connections
    assert delivery.outbox_sweep() == 10
    assert smtp_server.connections - connections == 1
    assert sorted(smtp_server.message_ids()) == sorted(delivery.message_id(e.key) for e in emails)
    pause.refresh_from_db()
    assert (pause.failures, pause.paused_until) == (0, None)


def test_pause_is_capped(settings):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_PAUSE_MAX_SECONDS = 5, 20
    assert [delivery.pause_delay(n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 20, 20]


def test_a_connection_cut_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(smtp_server):
    """Le serveur coupe après le troisième message : les trois acceptés sont notés envoyés, celui en cours
    attend la fin de la pause, les suivants n'ont même pas été essayés ; à la reprise, chacun une fois."""
    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(6)]

    def cut_after_three(_received):
        if len(smtp_server.messages) == 3:
            smtp_server.drop = True

    smtp_server.on_accept = cut_after_three
    assert delivery.outbox_sweep() == 3
    statuses = dict(OutboxEmail.objects.values_list("key", "status"))
    assert list(statuses.values()).count(OutboxStatus.SENT) == 3
    cut = OutboxEmail.objects.get(attempts=1, status=OutboxStatus.PENDING)
    assert cut.last_error == "SMTPServerDisconnected"
    assert OutboxEmail.objects.filter(attempts=0).count() == 2  # jamais réclamés
    assert MailServerPause.objects.get().failures == 1

    smtp_server.on_accept = None
    smtp_server.reset()
    make_due()
    assert delivery.outbox_sweep() == 3
    ids = smtp_server.message_ids()
    assert sorted(ids) == sorted(delivery.message_id(e.key) for e in emails)
    assert len(ids) == len(set(ids))


def test_emails_written_by_one_transaction_leave_together(smtp_server, django_capture_on_commit_callbacks):
    """Les alertes d'une même transaction : une seule tâche, une seule connexion SMTP."""
    context = {"path": "/x", "minutes": 15}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(3):
            services.email_enqueue(key=f"alerte-{n}", to=f"jeune{n}@example.org",
                                   template="accounts/emails/magic_link", context=context)  # fmt: skip
    assert len(callbacks) == 1
    assert smtp_server.message_ids() == [delivery.message_id(f"alerte-{n}") for n in range(3)]
    assert smtp_server.connections == 1


def test_an_email_rolled_back_with_its_savepoint_does_not_take_the_others_with_it(
    smtp_server, django_capture_on_commit_callbacks
):
    context = {"path": "/x", "minutes": 15}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.email_enqueue(key="garde", to="lea@example.org", template="accounts/emails/magic_link",
                               context=context)  # fmt: skip
        with pytest.raises(RuntimeError), transaction.atomic():
            services.email_enqueue(key="annule", to="sam@example.org", template="accounts/emails/magic_link",
                                   context=context)  # fmt: skip
            raise RuntimeError
        services.email_enqueue(key="apres", to="noa@example.org", template="accounts/emails/magic_link",
                               context=context)  # fmt: skip
    assert len(callbacks) == 1  # le rappel du point de sauvegarde annulé est parti avec lui
    assert smtp_server.message_ids() == [delivery.message_id("garde"), delivery.message_id("apres")]


def test_an_email_taken_back_by_the_sweep_while_waiting_in_its_group_is_not_sent_twice(smtp_server, monkeypatch):
    """Un groupe réclamé met longtemps à partir (serveur lent) : le balayage rend la réclamation d'un e-mail
    qui attend encore son tour et un autre worker l'envoie. Le premier ne l'envoie pas une seconde fois."""
    emails = [outbox_email(key=f"alerte-{n}", to=f"jeune{n}@example.org") for n in range(3)]
    build = delivery._message
    other_worker_done = []

    def slow_group(email):
        if not other_worker_done:
            other_worker_done.append(True)
            long_ago = timezone.now() - datetime.timedelta(seconds=django_settings.OUTBOX_STALE_CLAIM_SECONDS + 1)
            OutboxEmail.objects.filter(key="alerte-2").update(claimed_at=long_ago)
            OutboxEmail.objects.filter(status=OutboxStatus.SENDING, claimed_at__lte=long_ago).update(
                status=OutboxStatus.PENDING
            )  # ce que fait le balayage d'un autre worker
            assert delivery.outbox_send(OutboxEmail.objects.get(key="alerte-2").pk) is True
        return build(email)

    monkeypatch.setattr(delivery, "_message", slow_group)
    assert delivery.outbox_sweep() == 2
    ids = smtp_server.message_ids()
    assert sorted(ids) == sorted(delivery.message_id(e.key) for e in emails)
    assert len(ids) == len(set(ids))
