import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import delivery, services
from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def enqueue(key="event-1", to="lea@example.org"):
    return services.email_enqueue(
        key=key, to=to, template="accounts/emails/magic_link", context={"path": "/x", "minutes": 15}
    )


def test_email_is_written_then_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue()
        assert OutboxEmail.objects.get().status == OutboxStatus.PENDING
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Votre lien de connexion à C'est ma chance"
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id("event-1")


def test_same_event_never_makes_two_emails(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue() is not None
        assert enqueue() is None
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue()
        raise RuntimeError
    assert OutboxEmail.objects.count() == 0


def test_failed_send_is_retried_later_with_backoff(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FailingBackend"}}
    email = OutboxEmail.objects.create(key="k", to="a@example.org", subject="s", body="b")
    assert delivery.outbox_send(email.pk) is False
    email.refresh_from_db()
    assert email.status == OutboxStatus.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert email.last_error == "ConnectionRefusedError"

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert delivery.outbox_sweep() == 0  # pas encore dû
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert email.attempts == 2


def test_gives_up_after_max_attempts(settings):
    """Un message refusé temporairement (4xx) trop de fois est abandonné."""
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.RecipientRefusingBackend"}}
    email = OutboxEmail.objects.create(key="k", to="a@example.org", subject="s", body="b",
                                       attempts=delivery.MAX_ATTEMPTS - 1)  # fmt: skip
    delivery.outbox_send(email.pk)
    email.refresh_from_db()
    assert (email.status, email.last_error) == (OutboxStatus.FAILED, "SMTPRecipientsRefused 450")


def test_an_unreachable_server_never_makes_an_email_give_up(settings):
    """Serveur d'envoi injoignable : c'est lui qui est en pause, l'e-mail attend son retour sans être abandonné."""
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FailingBackend"}}
    email = OutboxEmail.objects.create(key="k", to="a@example.org", subject="s", body="b",
                                       attempts=delivery.MAX_ATTEMPTS - 1)  # fmt: skip
    delivery.outbox_send(email.pk)
    email.refresh_from_db()
    assert email.status == OutboxStatus.PENDING


def test_sweep_resumes_a_send_interrupted_by_a_crashed_worker(settings):
    claimed_long_ago = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS + 60)
    OutboxEmail.objects.create(key="k", to="a@example.org", subject="s", body="b", status=OutboxStatus.SENDING,
                               claimed_at=claimed_long_ago, next_attempt_at=claimed_long_ago)  # fmt: skip
    OutboxEmail.objects.create(key="recent", to="b@example.org", subject="s", body="b", status=OutboxStatus.SENDING,
                               claimed_at=timezone.now())  # fmt: skip
    assert delivery.outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_retry_delay_grows_and_is_capped():
    assert delivery.retry_delay(1) == datetime.timedelta(minutes=1)
    assert delivery.retry_delay(3) == datetime.timedelta(minutes=4)
    assert delivery.retry_delay(30) == datetime.timedelta(hours=6)


def test_an_email_records_the_people_it_concerns():
    """Le destinataire compte toujours, plus les personnes dont le message porte les données."""
    from tests.accounts.factories import UserFactory

    employer, candidate = UserFactory(email="patron@example.org"), UserFactory(email="lea@example.org")
    email = services.email_enqueue(
        key="connected", to=employer, template="accounts/emails/magic_link", context={}, concerns=[candidate]
    )
    assert email.to == "patron@example.org"
    assert set(email.concerns.all()) == {employer, candidate}
    by_address = enqueue(key="by-address", to="LEA@example.org")  # une adresse : son compte, s'il existe
    assert set(by_address.concerns.all()) == {candidate}
    assert set(OutboxEmail.objects.concerning(candidate)) == {email, by_address}


def test_redacting_blanks_subject_and_body_and_drops_what_is_not_sent_yet(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = enqueue(key="sent")
    pending = enqueue(key="pending")
    assert services.outbox_redact(OutboxEmail.objects.all()) == 2
    sent.refresh_from_db()
    assert (sent.subject, sent.body, sent.status) == ("", "", OutboxStatus.SENT)
    assert sent.redacted_at is not None
    assert not OutboxEmail.objects.filter(pk=pending.pk).exists()  # jamais envoyé : plus rien à garder


def test_a_person_waiting_goes_before_the_queued_alerts(settings, django_capture_on_commit_callbacks):
    """Sous charge, des milliers d'alertes attendent leur envoi dans la file des tâches : l'inscription
    d'une personne devant son écran, puis l'e-mail de son lien, passent avant elles."""
    from django_tasks_db.models import DBTaskResult

    from candidates.tasks import candidate_signup

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            enqueue(key=f"alerte-{n}", to=f"jeune{n}@example.org")
    candidate_signup.enqueue(email="lea@example.org", first_name="Léa", last_name="Martin", birth_date="2007-05-14")

    signup = DBTaskResult.objects.ready().first()
    assert signup.task_path == "candidates.tasks.candidate_signup"
    with django_capture_on_commit_callbacks(execute=True):
        signup.task.call(*signup.task_result.args, **signup.task_result.kwargs)
    signup.delete()
    link = DBTaskResult.objects.ready().first()
    assert link.task_path == "notifications.tasks.send_outbox_emails"
    [email_id] = link.task_result.args[0]
    assert OutboxEmail.objects.get(pk=email_id).to == "lea@example.org"
    assert DBTaskResult.objects.ready().count() == 2  # les alertes, en une seule tâche, ensuite
