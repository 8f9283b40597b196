"""Sessions du back-office : 10 heures au plus, 30 minutes sans activité au plus ; le second facteur vérifié
ne leur survit pas."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from backoffice.scope import SESSION_VERIFIED_KEY
from tests.backoffice.factories import AdvisorFactory, advisor_login, totp_now

pytestmark = pytest.mark.django_db


def _signed_out(response):
    return response.status_code == 302 and response.url.startswith("/connexion?next=")


def test_a_session_ends_after_30_minutes_without_activity(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        advisor = AdvisorFactory()
        advisor_login(client, advisor)
        assert client.get("/conseiller/").status_code == 200
        for _ in range(4):  # actif toutes les 29 minutes : la session tient
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get("/conseiller/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        assert _signed_out(client.get("/conseiller/"))
        assert SESSION_VERIFIED_KEY not in client.session

        # De retour par un lien de connexion : le second facteur est demandé de nouveau.
        client.force_login(advisor.user)
        assert client.get("/conseiller/").url.startswith("/conseiller/verification")


def test_a_session_ends_after_10_hours_even_when_active(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        advisor = AdvisorFactory()
        advisor_login(client, advisor)
        for _ in range(9 * 3):  # une page toutes les 20 minutes pendant 9 heures
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/conseiller/").status_code == 200
        for _ in range(2):  # 9 h 29, puis 9 h 58
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get("/conseiller/").status_code == 200
        clock.shift(datetime.timedelta(minutes=3))
        assert _signed_out(client.get("/conseiller/"))
        assert SESSION_VERIFIED_KEY not in client.session
        client.force_login(advisor.user)
        response = client.post("/conseiller/verification", {"code": totp_now(advisor)})
        assert response.url == "/conseiller/"
        assert client.get("/conseiller/").status_code == 200
