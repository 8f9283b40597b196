"""Une adresse refusée définitivement (5xx) : plus d'e-mails, la personne le lit à sa connexion, son
conseiller·e le voit au tableau de bord."""

import re

import pytest

from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail, UndeliverableAddress
from privacy.services import inactivity_warn
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory, advisor_login
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.utils import link_page_post, text

pytestmark = pytest.mark.django_db

REFUSED_TITLE = "Nos e-mails ne te parviennent plus"


@pytest.fixture
def lea():
    arras = CommuneFactory(departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)
    return CandidateProfileFactory(commune=arras, user__email="lea@example.org", user__last_name="Refusée")


def sign_in_by_link(client, smtp_server, email, capture):
    with capture(execute=True):
        client.post("/connexion", {"email": email})
    path = re.search(r"http://testserver(/connexion/lien/\S+)", smtp_server.messages[-1].body).group(1)
    response = link_page_post(client, path)  # la page du lien, puis son bouton « Se connecter »
    while response.status_code == 302:
        response = client.get(response.url)
    return response


def test_refused_address_is_told_to_the_person_and_to_the_advisor(
    client, smtp_server, lea, django_capture_on_commit_callbacks
):
    smtp_server.refuse["lea@example.org"] = (550, "5.1.1 Boîte inconnue")
    with django_capture_on_commit_callbacks(execute=True):
        inactivity_warn(user=lea.user)
    assert OutboxEmail.objects.get().status == OutboxStatus.REFUSED
    assert UndeliverableAddress.objects.filter(email="lea@example.org").exists()

    # Le lien de connexion, demandé par Léa, part quand même (son serveur l'accepte de nouveau).
    smtp_server.refuse.clear()
    page = sign_in_by_link(client, smtp_server, "lea@example.org", django_capture_on_commit_callbacks)
    assert page.status_code == 200
    assert REFUSED_TITLE in text(page)
    assert "lea@example.org" in text(page)
    assert REFUSED_TITLE in text(client.get("/candidat/profil"))  # dans tout son espace

    # Sa conseillère du Pas-de-Calais la voit ; celle du Nord, non.
    advisor_page = advisor_login(client.__class__(), AdvisorFactory()).get("/conseiller/listes/e-mails-refuses")
    assert "Refusée" in text(advisor_page)
    other = advisor_login(client.__class__(), AdvisorFactory(departements=["59"]))
    assert "Refusée" not in text(other.get("/conseiller/listes/e-mails-refuses"))

    response = client.post("/mon-espace/adresse-e-mail-confirmee", follow=True)
    assert "C'est noté : tu recevras de nouveau nos e-mails." in text(response)
    assert REFUSED_TITLE not in text(response)
    assert not UndeliverableAddress.objects.exists()


def test_no_notice_for_a_working_address(client, smtp_server, lea, django_capture_on_commit_callbacks):
    page = sign_in_by_link(client, smtp_server, "lea@example.org", django_capture_on_commit_callbacks)
    assert REFUSED_TITLE not in text(page)


def test_employers_are_told_with_vous(client, smtp_server, django_capture_on_commit_callbacks):
    UserFactory(email="boulangerie@example.org", employer=True)
    UndeliverableAddress.objects.create(email="boulangerie@example.org", smtp_code=552)
    page = sign_in_by_link(client, smtp_server, "boulangerie@example.org", django_capture_on_commit_callbacks)
    assert "Nos e-mails ne vous parviennent plus" in text(page)


def test_confirming_needs_a_signed_in_post(client):
    assert client.get("/mon-espace/adresse-e-mail-confirmee").status_code == 405
    assert client.post("/mon-espace/adresse-e-mail-confirmee").status_code == 302
