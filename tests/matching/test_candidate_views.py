"""L'espace du ou de la candidat·e : ses mises en relation, les meilleures d'abord, et sa réponse à chacune."""

import pytest

from matching.enums import MatchState
from matching.models import Match
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def test_home_empty_state_explains_what_happens_next(client):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)
    response = client.get("/candidat/")
    assert "Dès qu'un artisan près de chez toi" in text(response)


def make_match(profile, **kwargs):
    offer = OfferFactory(
        trade=profile.trades.first(), commune=profile.commune, company__commune=profile.commune, **kwargs
    )
    return Match.objects.create(candidate=profile, offer=offer, score=1, distance_km=4.2)


def test_home_lists_matches_best_first_with_reasons_and_answer_buttons(client):
    profile = CandidateProfileFactory()
    low = make_match(profile, description="Petite boulangerie")
    high = make_match(profile, description="Grande boulangerie")
    Match.objects.filter(pk=high.pk).update(score=5)
    inactive = make_match(profile, description="Plus valable")
    Match.objects.filter(pk=inactive.pk).update(is_active=False)
    client.force_login(profile.user)
    content = text(client.get("/candidat/"))
    assert content.index("Grande boulangerie") < content.index("Petite boulangerie")
    assert "Plus valable" not in content
    assert "à 4 km" in content and f"même métier : {profile.trades.first().label}" in content
    assert low.offer.company.name in content
    assert "Je suis intéressé·e" in content and "Pas intéressé·e" in content


def test_answering_interested_changes_the_state(client):
    profile = CandidateProfileFactory()
    match = make_match(profile)
    client.force_login(profile.user)
    response = client.post(f"/candidat/mises-en-relation/{match.pk}/reponse", {"interested": "oui"}, follow=True)
    match.refresh_from_db()
    assert match.state == MatchState.CANDIDATE_INTERESTED
    content = text(response)
    assert "En attente de la réponse de l'employeur" in content
    response = client.post(f"/candidat/mises-en-relation/{match.pk}/reponse", {"interested": "oui"}, follow=True)
    assert "Vous avez déjà répondu." in text(response)


def test_connected_match_shows_the_employer_contact(client):
    profile = CandidateProfileFactory()
    match = make_match(profile)
    Match.objects.filter(pk=match.pk).update(state=MatchState.CONNECTED)
    member = match.offer.company.members.first()
    member.phone = "+33612345678"
    member.save()
    client.force_login(profile.user)
    content = text(client.get("/candidat/"))
    assert "En relation" in content
    assert member.email in content and ">06 12 34 56 78<" in content  # au format national


def test_contact_is_hidden_before_mutual_interest(client):
    profile = CandidateProfileFactory()
    match = make_match(profile)
    client.force_login(profile.user)
    assert match.offer.company.members.first().email not in text(client.get("/candidat/"))


def test_answering_another_candidates_match_is_a_404(client):
    match = make_match(CandidateProfileFactory())
    intruder = CandidateProfileFactory()
    client.force_login(intruder.user)
    response = client.post(f"/candidat/mises-en-relation/{match.pk}/reponse", {"interested": "oui"})
    assert response.status_code == 404
    match.refresh_from_db()
    assert match.state == MatchState.PROPOSED
    assert client.get(f"/candidat/mises-en-relation/{match.pk}/reponse").status_code == 405
