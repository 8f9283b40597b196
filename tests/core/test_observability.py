import json
import logging

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from core.observability import JsonFormatter
from core.sentry import sentry_init
from tests.accounts.factories import UserFactory

EMAIL = "jeune.candidate@example.org"
PHONE = "06 12 34 56 78"


def test_json_logs_are_one_object_per_line_without_personal_data():
    logger = logging.getLogger("tests.observability")
    record = logger.makeRecord(
        logger.name, logging.WARNING, __file__, 1, "Envoi refusé pour %s (tél. %s)", (EMAIL, PHONE), None
    )
    try:
        raise ValueError(f"adresse {EMAIL} inconnue")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "WARNING" and payload["logger"] == "tests.observability"
    assert payload["message"] == "Envoi refusé pour [masqué] (tél. [masqué])"
    assert "ValueError: adresse [masqué] inconnue" in payload["exception"]
    assert EMAIL not in line and PHONE not in line


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry():
    transport = CapturingTransport()
    sentry_init("https://cle-publique@sentry.invalid/1", environment="tests", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


@pytest.mark.django_db
def test_errors_reach_sentry_without_personal_data(settings, sentry):
    settings.ROOT_URLCONF = "tests.core.urls_with_error"
    user = UserFactory(email=EMAIL)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get(f"/__boom__?email={EMAIL}", HTTP_USER_AGENT="Navigateur", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 500
    sentry_sdk.flush()
    [event] = sentry.events
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "échec de l'envoi à [masqué]"
    assert set(event.get("request", {})) <= {"method", "url"}  # ni cookies, ni en-têtes, ni paramètres
    assert "?" not in event.get("request", {}).get("url", "")
    assert "user" not in event
    text = json.dumps(event)
    for secret in (EMAIL, "sessionid", "203.0.113.9", "Navigateur"):
        assert secret not in text
