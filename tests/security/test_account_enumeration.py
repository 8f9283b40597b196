"""Énumération des comptes : /connexion et les deux inscriptions répondent pareil, avec les mêmes requêtes
SQL et la même tâche de fond, que l'adresse ait un compte ou non. La recherche du compte et l'envoi se
font dans la tâche, après la réponse (la différence de durée ne se voit plus dans la réponse)."""

import pytest
from django.db import connection
from django.tasks import task_backends
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory

pytestmark = pytest.mark.django_db

KNOWN = "deja@example.org"
UNKNOWN = "nouveau@example.org"


@pytest.fixture
def queued(settings):
    """Les tâches mises en file, sans les exécuter."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


def observe(url, data, queued, capture):
    """Ce que voit le client et ce que fait le serveur pendant la requête : réponse, nombre de requêtes
    SQL, tâches mises en file."""
    queued.clear()
    client = Client()
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        response = client.post(url, data)
    tasks = [result.task.module_path for result in queued.results]
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "content": response.content,
        "queries": len(queries),
        "tasks": tasks,
    }


def birthday(age):
    today = timezone.localdate()
    return today.replace(year=today.year - age, day=min(today.day, 28)).isoformat()


def test_login_does_the_same_work_for_known_and_unknown_addresses(queued, django_capture_on_commit_callbacks):
    UserFactory(email=KNOWN)
    known = observe("/connexion", {"email": KNOWN}, queued, django_capture_on_commit_callbacks)
    unknown = observe("/connexion", {"email": UNKNOWN}, queued, django_capture_on_commit_callbacks)
    assert known == unknown
    assert known["tasks"] == ["accounts.tasks.login_link_send"]
    assert known["location"] == "/connexion/verifiez-vos-emails"


def test_candidate_signup_does_the_same_work_for_known_and_unknown_addresses(
    queued, django_capture_on_commit_callbacks
):
    CandidateProfileFactory(user__email=KNOWN)
    data = {"first_name": "Inès", "last_name": "Martin", "birth_date": birthday(17)}
    known = observe("/candidat/inscription", {**data, "email": KNOWN}, queued, django_capture_on_commit_callbacks)
    unknown = observe("/candidat/inscription", {**data, "email": UNKNOWN}, queued, django_capture_on_commit_callbacks)
    assert known == unknown
    assert known["tasks"] == ["candidates.tasks.candidate_signup"]
    assert User.objects.count() == 1  # rien n'est créé avant la tâche


def test_employer_signup_does_the_same_work_for_known_and_unknown_addresses(queued, django_capture_on_commit_callbacks):
    UserFactory(email=KNOWN, employer=True)
    commune = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])
    data = {
        "first_name": "Paul",
        "last_name": "Fournier",
        "phone": "06 12 34 56 78",
        "siret": "830 141 321 00034",
        "company_name": "Boulangerie du Beffroi",
        "commune": commune.code,
        "naf_code": "1071c",
        "staff_band": "0-10",
    }
    known = observe("/employeur/inscription", {**data, "email": KNOWN}, queued, django_capture_on_commit_callbacks)
    unknown = observe("/employeur/inscription", {**data, "email": UNKNOWN}, queued, django_capture_on_commit_callbacks)
    assert known == unknown
    assert known["tasks"] == ["employers.tasks.employer_signup"]
    assert User.objects.count() == 1
