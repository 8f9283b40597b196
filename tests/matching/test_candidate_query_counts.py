"""L'espace candidat·e lit ses mises en relation en un nombre fixe de requêtes, quel que soit leur nombre."""

import pytest

from matching.enums import MatchState
from matching.models import Match
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db

# Session, compte, profil, nombre de paires, paires de la page (avec offres, métiers, communes, établissements),
# contacts des paires en relation (une requête pour toutes, seulement s'il y en a).
HOME_QUERIES = 6


def add_match(profile, state=MatchState.PROPOSED):
    offer = OfferFactory(trade=profile.trades.first(), commune=profile.commune, company__commune=profile.commune)
    return Match.objects.create(candidate=profile, offer=offer, score=1, distance_km=4.2, state=state)


@pytest.mark.parametrize("count", [1, 6])
def test_home_runs_the_same_queries_for_1_and_6_matches(client, count, django_assert_num_queries):
    profile = CandidateProfileFactory()
    states = [MatchState.CONNECTED, MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED]
    matches = [add_match(profile, states[position % 3]) for position in range(count)]
    client.force_login(profile.user)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/candidat/")
    content = text(response)
    assert content.count('class="fr-card fr-mb-3w"') == count
    for match in matches:
        assert match.offer.company.name in content
        if match.state == MatchState.CONNECTED:
            assert match.offer.company.members.first().email in content


def test_home_shows_matches_by_pages_of_ten_best_first(client):
    profile = CandidateProfileFactory()
    matches = [add_match(profile) for _ in range(12)]
    for score, match in enumerate(matches):
        Match.objects.filter(pk=match.pk).update(score=score)
    client.force_login(profile.user)
    first = text(client.get("/candidat/"))
    assert "12 offres près de chez toi, la meilleure d'abord." in first
    assert first.count('class="fr-card fr-mb-3w"') == 10
    assert f"mise-en-relation-{matches[11].pk}" in first and f"mise-en-relation-{matches[1].pk}" not in first
    assert "1 / 2" in first
    second = text(client.get("/candidat/?page=2"))
    assert second.count('class="fr-card fr-mb-3w"') == 2
    assert f"mise-en-relation-{matches[0].pk}" in second
    response = client.post(f"/candidat/mises-en-relation/{matches[0].pk}/reponse", {"interested": "oui", "page": "2"})
    assert response.url == f"/candidat/?page=2#mise-en-relation-{matches[0].pk}"
