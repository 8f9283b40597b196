"""Rebonds et plaintes signalés par l'opérateur d'envoi (webhook Brevo de django-anymail) : même état « adresse
refusée » qu'un refus SMTP, et plus rien n'y part."""

import base64
import json

import pytest

from notifications import delivery, services
from notifications.enums import OutboxStatus, RefusalSource
from notifications.models import UndeliverableAddress
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.anymail_urls")]

AUTH = "anymail:secret-du-webhook"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH}


def brevo_event(client, event, email, reason="", auth=AUTH):
    payload = {"event": event, "email": email, "message-id": "<abc@cestmachance.fr>", "reason": reason,
               "ts_event": 1764576000, "date": "2025-12-01 09:00:00"}  # fmt: skip
    return client.post(
        "/anymail/brevo/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(auth.encode()).decode(),
    )


@pytest.mark.parametrize(
    ("event", "source"), [("hard_bounce", RefusalSource.BOUNCE), ("spam", RefusalSource.COMPLAINT)]
)
def test_a_hard_bounce_or_a_complaint_makes_the_address_undeliverable(client, event, source):
    user = UserFactory(email="lea@example.org")
    assert brevo_event(client, event, "Lea@Example.org", reason="550 5.1.1 user unknown").status_code == 200
    address = UndeliverableAddress.objects.get()
    assert address.email == "lea@example.org" and address.source == source and address.smtp_code == 550
    email = services.email_enqueue(
        key="apres", to=user, template="accounts/emails/magic_link", context={"user": user, "path": "/", "minutes": 1}
    )
    assert not delivery.outbox_send(email.pk)
    email.refresh_from_db()
    assert email.status == OutboxStatus.SKIPPED


def test_a_soft_bounce_changes_nothing(client):
    assert brevo_event(client, "soft_bounce", "lea@example.org").status_code == 200
    assert not UndeliverableAddress.objects.exists()


def test_a_webhook_without_the_secret_is_refused(client):
    assert brevo_event(client, "hard_bounce", "lea@example.org", auth="anymail:faux").status_code in (400, 401, 403)
    assert not UndeliverableAddress.objects.exists()
