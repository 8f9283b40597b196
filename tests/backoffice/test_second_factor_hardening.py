"""Second facteur : attente croissante après chaque échec, blocage après 10 échecs (e-mail à la personne,
déblocage par l'administration ou après 24 heures), échecs au journal ; secrets TOTP chiffrés en base."""

import datetime
import importlib

import pyotp
import pytest
import time_machine
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from django.utils import timezone

from backoffice import crypto, services
from backoffice.models import AdvisorProfile, AuditLog
from notifications.models import OutboxEmail
from tests.backoffice.factories import AdvisorFactory, advisor_login, totp_now
from tests.utils import text

pytestmark = pytest.mark.django_db


def _try(client, code="000000"):
    return client.post("/conseiller/verification", {"code": code})


def test_each_failure_makes_the_next_try_wait_longer(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        advisor = AdvisorFactory()
        client.force_login(advisor.user)
        for _ in range(services.SECOND_FACTOR_FREE_TRIES):
            assert "Ce code n'est pas le bon" in text(_try(client))
        waits = []
        for _ in range(4):
            wait = services.second_factor_wait(advisor=AdvisorProfile.objects.get(pk=advisor.pk))
            waits.append(wait)
            # Pendant l'attente, même le bon code est refusé sans être essayé.
            response = _try(client, totp_now(advisor))
            assert "Patientez" in text(response) and "_auth_user_id" in client.session
            clock.shift(datetime.timedelta(seconds=wait))
            _try(client)  # un échec de plus
        assert waits == [30, 60, 120, 240]
        failures = AuditLog.objects.filter(action="second_facteur_echec", actor=advisor.user)
        assert failures.count() == services.SECOND_FACTOR_FREE_TRIES + 4
        assert all(set(entry.details) <= {"failures"} for entry in failures)  # ni code ni adresse


def test_ten_failures_lock_the_second_factor_and_warn_the_advisor(client, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        advisor = AdvisorFactory(user__email="conseil@cma.fr")
        client.force_login(advisor.user)
        for _ in range(services.SECOND_FACTOR_MAX_FAILURES):
            clock.shift(datetime.timedelta(hours=1))  # au-delà de toute attente (et de la session : on revient)
            client.force_login(advisor.user)
            _try(client)
        advisor.refresh_from_db()
        assert advisor.totp_locked_at is not None
        assert AuditLog.objects.filter(action="second_facteur_bloque", actor=advisor.user).count() == 1
        email = OutboxEmail.objects.get(to="conseil@cma.fr")
        assert "bloqué" in email.subject and "000000" not in email.body

        clock.shift(datetime.timedelta(hours=1))
        client.force_login(advisor.user)
        response = _try(client, totp_now(advisor))
        assert "bloquée" in text(response)
        assert services.second_factor_verify(advisor=advisor, code=totp_now(advisor)) is False

        # Déblocage automatique après 24 heures.
        clock.shift(services.SECOND_FACTOR_LOCK_DURATION)
        clock.shift(datetime.timedelta(seconds=31))
        client.force_login(advisor.user)
        response = _try(client, totp_now(advisor))
        assert response.status_code == 302 and response.url == "/conseiller/"


def test_an_administrator_unlocks_an_advisor(client):
    advisor = AdvisorFactory(totp_failures=10, totp_locked_at=timezone.now())
    advisor_login(client, AdvisorFactory(admin=True))
    page = text(client.get("/conseiller/admin/conseillers"))
    assert "second facteur bloqué" in page
    response = client.post(f"/conseiller/admin/conseillers/{advisor.pk}/deblocage")
    assert response.url == "/conseiller/admin/conseillers"
    advisor.refresh_from_db()
    assert advisor.totp_locked_at is None and advisor.totp_failures == 0
    assert AuditLog.objects.filter(action="second_facteur_debloque", object_id=str(advisor.pk)).exists()


def test_totp_secrets_are_encrypted_at_rest(settings):
    advisor = AdvisorFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM backoffice_advisorprofile WHERE id = %s", [advisor.pk])
        stored = cursor.fetchone()[0]
    secret = advisor.get_totp_secret()
    assert len(secret) == 32 and secret not in stored
    assert Fernet(settings.TOTP_ENCRYPTION_KEY.split(",")[0].encode()).decrypt(stored.encode()).decode() == secret
    # Une autre clé ne lit rien : la base seule ne suffit pas.
    settings.TOTP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.DecryptionError):
        AdvisorProfile.objects.get(pk=advisor.pk).get_totp_secret()


def test_a_new_key_can_be_added_in_front_of_the_old_one(settings):
    advisor = AdvisorFactory()
    secret = advisor.get_totp_secret()
    settings.TOTP_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{settings.TOTP_ENCRYPTION_KEY}"
    assert AdvisorProfile.objects.get(pk=advisor.pk).get_totp_secret() == secret


def test_the_data_migration_encrypts_existing_secrets():
    advisor = AdvisorFactory()
    plain = pyotp.random_base32()
    AdvisorProfile.objects.filter(pk=advisor.pk).update(totp_secret=plain)
    migration = importlib.import_module("backoffice.migrations.0003_encrypt_totp_secrets")
    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)  # deux fois : rien n'est chiffré deux fois
    assert AdvisorProfile.objects.get(pk=advisor.pk).get_totp_secret() == plain
