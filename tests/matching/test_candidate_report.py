"""Les jeunes signalent une offre ou son employeur depuis leurs mises en relation."""

import pytest
from django.urls import reverse

from employers.enums import VerificationReason
from offers.models import Report
from tests.matching.factories import MatchFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def _report(client, match, **data):
    client.force_login(match.candidate.user)
    return client.post(
        reverse("matching:candidate_report", args=[match.pk]),
        {"target": "offre", "reason": "fausse", "text": "Il demande 50 euros pour l'entretien.", **data},
    )


def test_a_candidate_reports_an_offer_from_their_space(client):
    match = MatchFactory()
    client.force_login(match.candidate.user)
    assert "Signaler" in text(client.get(reverse("matching:candidate_home")))
    form = text(client.get(reverse("matching:candidate_report", args=[match.pk])))
    assert "Que veux-tu signaler ?" in form and "On me demande de l'argent" in form
    response = _report(client, match, reason="argent_donnees")
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.offer, report.reporter, report.reason) == (match.offer, match.candidate.user, "argent_donnees")
    match.offer.company.refresh_from_db()
    assert VerificationReason.REPORTED in match.offer.company.verification_reasons
    assert "ton signalement est transmis" in text(client.get(response.url))


def test_a_second_report_by_the_same_candidate_is_explained_and_not_counted(client):
    match = MatchFactory()
    _report(client, match)
    response = _report(client, match)
    assert "Tu as déjà signalé cette offre" in text(client.get(response.url))
    assert Report.objects.count() == 1


def test_a_bad_report_is_explained_and_keeps_the_text(client):
    match = MatchFactory()
    response = _report(client, match, reason="n-importe-quoi")
    page = text(response)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page
    assert "Il demande 50 euros pour l&#x27;entretien." in response.content.decode() or "Il demande 50 euros" in page
    assert not Report.objects.exists()


def test_a_candidate_cannot_report_through_someone_elses_match(client):
    match, other = MatchFactory(), MatchFactory()
    client.force_login(other.candidate.user)
    assert client.get(reverse("matching:candidate_report", args=[match.pk])).status_code == 404
