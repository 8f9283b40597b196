"""Durées de conservation appliquées par la tâche quotidienne, horloge figée (time_machine)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import MagicLink, User
from accounts.services import magic_link_consume, magic_link_send
from candidates.enums import SearchStatus
from notifications.models import OutboxEmail
from privacy import retention, tasks
from privacy.services import is_anonymised
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def at(delta: datetime.timedelta):
    return time_machine.travel(START + delta, tick=False)


def reload(user):
    return User.objects.get(pk=user.pk)


def test_retention_runs_every_day():
    assert settings.PERIODIC_TASKS["privacy.tasks.retention_run"] == 86400


def test_inactive_account_is_warned_30_days_ahead_then_anonymised():
    with at(datetime.timedelta(0)):
        user = UserFactory(email="lea@example.org", last_activity_at=timezone.now())
        CandidateProfileFactory(user=user)

    with at(retention.INACTIVE_ACCOUNT - retention.INACTIVITY_WARNING_AHEAD - datetime.timedelta(days=1)):
        assert tasks.retention_apply()["prevenus"] == 0
    with at(retention.INACTIVE_ACCOUNT - retention.INACTIVITY_WARNING_AHEAD):
        assert tasks.retention_apply()["prevenus"] == 1
        email = OutboxEmail.objects.get(to="lea@example.org")
        assert "anonymisé le" in email.subject
        assert "/connexion" in email.body
    with at(retention.INACTIVE_ACCOUNT - datetime.timedelta(days=1)):
        counts = tasks.retention_apply()
        assert counts["prevenus"] == 0  # une seule alerte (clé unique)
        assert counts["inactifs"] == 0
        assert not is_anonymised(reload(user))
    with at(retention.INACTIVE_ACCOUNT):
        assert tasks.retention_apply()["inactifs"] == 1
        assert is_anonymised(reload(user))
        assert not OutboxEmail.objects.filter(to="lea@example.org").exists()


def test_signing_in_after_the_warning_keeps_the_account():
    with at(datetime.timedelta(0)):
        user = UserFactory(email="tom@example.org", last_activity_at=timezone.now())
        CandidateProfileFactory(user=user)
    with at(retention.INACTIVE_ACCOUNT - retention.INACTIVITY_WARNING_AHEAD):
        tasks.retention_apply()
    with at(retention.INACTIVE_ACCOUNT - datetime.timedelta(days=10)):
        magic_link_consume(token=magic_link_send(user=user))
    with at(retention.INACTIVE_ACCOUNT + datetime.timedelta(days=1)):
        assert tasks.retention_apply()["inactifs"] == 0
        assert not is_anonymised(reload(user))


def test_account_never_warned_is_not_anonymised_before_its_warning_is_30_days_old():
    """Si le worker était arrêté, l'alerte part d'abord ; l'anonymisation attend 30 jours de plus."""
    with at(datetime.timedelta(0)):
        user = UserFactory(last_activity_at=timezone.now())
        CandidateProfileFactory(user=user)
    with at(retention.INACTIVE_ACCOUNT + datetime.timedelta(days=100)):
        counts = tasks.retention_apply()
        assert (counts["prevenus"], counts["inactifs"]) == (1, 0)
    with at(retention.INACTIVE_ACCOUNT + datetime.timedelta(days=130)):
        assert tasks.retention_apply()["inactifs"] == 1


def test_inactivity_falls_back_on_sign_up_date():
    with at(datetime.timedelta(0)):
        user = UserFactory(last_activity_at=None)
        CandidateProfileFactory(user=user)
    with at(retention.INACTIVE_ACCOUNT - retention.INACTIVITY_WARNING_AHEAD):
        assert tasks.retention_apply()["prevenus"] == 1


def test_advisors_and_admins_are_not_concerned():
    with at(datetime.timedelta(0)):
        UserFactory(advisor=True, last_activity_at=timezone.now())
        UserFactory(admin=True, last_activity_at=timezone.now())
    with at(retention.INACTIVE_ACCOUNT * 2):
        counts = tasks.retention_apply()
        assert counts["prevenus"] == counts["inactifs"] == counts["inscriptions"] == 0


def test_candidate_who_found_a_contract_is_anonymised_two_years_later():
    with at(datetime.timedelta(0)):
        user = UserFactory()
        CandidateProfileFactory(user=user, status=SearchStatus.FOUND, found_contract_at=timezone.now())
    with at(retention.FOUND_CONTRACT - datetime.timedelta(days=1)):
        user.last_activity_at = timezone.now()  # encore venu la veille : l'inactivité ne joue pas
        user.save()
        assert tasks.retention_apply()["contrats"] == 0
    with at(retention.FOUND_CONTRACT):
        assert tasks.retention_apply()["contrats"] == 1
        assert is_anonymised(reload(user))


def test_unfinished_sign_ups_are_deleted_after_30_days():
    with at(datetime.timedelta(0)):
        incomplete = CandidateProfileFactory(incomplete=True, user__last_activity_at=timezone.now()).user
        never_signed_in = UserFactory(employer=True, last_activity_at=None)
        complete = CandidateProfileFactory(user__last_activity_at=None).user
        employer_with_company = UserFactory(employer=True, last_activity_at=None)
        CompanyFactory(member=employer_with_company)
    with at(retention.UNFINISHED_SIGNUP - datetime.timedelta(minutes=1)):
        assert tasks.retention_apply()["inscriptions"] == 0
    with at(retention.UNFINISHED_SIGNUP):
        assert tasks.retention_apply()["inscriptions"] == 2
    remaining = set(User.objects.values_list("pk", flat=True))
    assert incomplete.pk not in remaining and never_signed_in.pk not in remaining
    assert {complete.pk, employer_with_company.pk} <= remaining


def test_expired_magic_links_are_purged_by_the_task():
    with at(datetime.timedelta(0)):
        magic_link_send(user=UserFactory(last_activity_at=timezone.now()))
    with at(datetime.timedelta(days=2)):
        assert tasks.retention_apply()["liens"] == 1
        assert not MagicLink.objects.exists()


def test_sent_email_contents_are_blanked_by_the_task_after_30_days(django_capture_on_commit_callbacks):
    with at(datetime.timedelta(0)), django_capture_on_commit_callbacks(execute=True):
        magic_link_send(user=UserFactory(last_activity_at=timezone.now()))
    with at(retention.SENT_EMAIL_CONTENT - datetime.timedelta(hours=1)):
        assert tasks.retention_apply()["emails"] == 0
    with at(retention.SENT_EMAIL_CONTENT + datetime.timedelta(hours=1)):
        assert tasks.retention_apply()["emails"] == 1
    assert OutboxEmail.objects.get().body == ""


def test_finished_background_tasks_and_their_arguments_are_purged_after_a_day(settings):
    """Les arguments d'une tâche (adresse e-mail d'une demande de lien, nom d'une inscription) sont gardés
    en base par la file des tâches : ils ne restent pas au-delà d'un jour après la fin de la tâche."""
    from django_tasks_db.models import DBTaskResult

    from accounts.tasks import login_link_send

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with at(datetime.timedelta(0)):
        login_link_send.enqueue("lea@example.org", "")
        login_link_send.enqueue("tom@example.org", "")
        DBTaskResult.objects.filter(args_kwargs__icontains="lea@").update(
            status="SUCCESSFUL", finished_at=timezone.now()
        )
    with at(retention.TASK_RESULTS_AFTER_FINISH - datetime.timedelta(hours=1)):
        assert tasks.retention_apply()["taches"] == 0
    with at(retention.TASK_RESULTS_AFTER_FINISH + datetime.timedelta(hours=1)):
        assert tasks.retention_apply()["taches"] == 1
    assert [str(row.args_kwargs) for row in DBTaskResult.objects.all()] == [
        str({"args": ["tom@example.org", ""], "kwargs": {}})
    ]  # pas encore exécutée : gardée


def test_the_task_can_be_enqueued():
    result = tasks.retention_run.enqueue()
    assert set(result.return_value) == {
        "prevenus",
        "inactifs",
        "contrats",
        "inscriptions",
        "liens",
        "emails",
        "sms",
        "taches",
    }
