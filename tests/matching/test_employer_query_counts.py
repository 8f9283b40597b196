"""Les pages de l'employeur (ses offres, une offre et ses candidat·es) : un nombre fixe de requêtes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.enums import MatchState
from matching.models import Match
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db

STATES = [MatchState.PROPOSED, MatchState.CONNECTED, MatchState.CANDIDATE_INTERESTED, MatchState.EMPLOYER_INTERESTED]


@pytest.fixture
def company(client):
    user = UserFactory(employer=True)
    client.force_login(user)
    return CompanyFactory(member=user)


def add_candidates(offer, count):
    for position in range(count):
        trades = [TradeFactory(code="boulanger"), TradeFactory(code=f"metier_{offer.pk}_{position}")]
        profile = CandidateProfileFactory(trades=trades)
        Match.objects.create(candidate=profile, offer=offer, distance_km=4, score=1, state=STATES[position % 4])


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_offer_page_runs_the_same_queries_for_1_and_12_candidates(client, company):
    small, large = OfferFactory(company=company), OfferFactory(company=company)
    add_candidates(small, 1)
    add_candidates(large, 12)
    assert queries(client, reverse("matching:offer_detail", args=[large.pk])) == queries(
        client, reverse("matching:offer_detail", args=[small.pk])
    )
    content = text(client.get(reverse("matching:offer_detail", args=[large.pk])))
    assert content.count('class="fr-card fr-mb-3w"') == 12


def test_offer_list_runs_the_same_queries_for_1_and_8_offers(client, company, django_assert_num_queries):
    add_candidates(OfferFactory(company=company), 2)
    one = queries(client, reverse("matching:employer_home"))
    for _ in range(7):
        add_candidates(OfferFactory(company=company), 2)
    with django_assert_num_queries(one):
        assert client.get(reverse("matching:employer_home")).status_code == 200


def test_offer_page_shows_candidates_by_pages_of_twenty(client, company):
    offer = OfferFactory(company=company)
    add_candidates(offer, 28)  # 7 en relation, 21 en attente d'une réponse
    first = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "En relation (7)" in first and "Candidat·es qui correspondent (21)" in first
    assert first.count('class="fr-card fr-mb-3w"') == 20
    assert "1 / 2" in first
    second = text(client.get(reverse("matching:offer_detail", args=[offer.pk]), {"page": 2}))
    assert second.count('class="fr-card fr-mb-3w"') == 8
    assert "En relation" not in second and "Candidat·es qui correspondent (21)" in second


def test_offer_page_shows_twenty_cards_however_many_are_connected(client, company):
    """Les paires en relation s'accumulent avec les années : elles aussi par pages, en tête."""
    offer = OfferFactory(company=company)
    connected = [
        Match.objects.create(
            candidate=CandidateProfileFactory(), offer=offer, distance_km=4, score=1, state=MatchState.CONNECTED
        )
        for _ in range(25)
    ]
    waiting = Match.objects.create(candidate=CandidateProfileFactory(), offer=offer, distance_km=4, score=1)
    url = reverse("matching:offer_detail", args=[offer.pk])
    first = text(client.get(url))
    assert first.count('class="fr-card fr-mb-3w"') == 20
    assert "En relation (25)" in first and 'id="candidats"' not in first
    assert "Aller aux candidat·es qui correspondent (1)" in first and 'href="?page=2#candidats"' in first
    second = text(client.get(url, {"page": 2}))
    assert second.count('class="fr-card fr-mb-3w"') == 6
    assert "En relation (25)" in second and "Candidat·es qui correspondent (1)" in second
    assert f"candidat-{connected[-1].pk}" in second and f"candidat-{waiting.pk}" in second


def test_offer_page_reads_the_offer_without_distinct(client, company):
    """L'offre est lue par une sous-requête des établissements du membre : une ligne par offre, sans DISTINCT
    (qui trierait toutes ses colonnes, description comprise)."""
    offer = OfferFactory(company=company)
    CompanyFactory(member=company.members.first())  # membre de deux établissements
    add_candidates(offer, 2)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("matching:offer_detail", args=[offer.pk])).status_code == 200
    assert not [query["sql"] for query in captured if "DISTINCT" in query["sql"]]
