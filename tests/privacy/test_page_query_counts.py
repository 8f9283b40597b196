"""« Mes données » et son export : autant de requêtes pour une mise en relation ou une offre que pour six."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.enums import MatchState
from matching.models import Match
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db

PAGES = ["privacy:my_data", "privacy:my_data_export"]


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_candidate_data_runs_the_same_queries_for_1_and_6_matches(client, name):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)

    def add_matches(count):
        for _ in range(count):
            Match.objects.create(candidate=profile, offer=OfferFactory(), distance_km=3, state=MatchState.CONNECTED)

    add_matches(1)
    one = queries(client, reverse(name))
    add_matches(5)
    assert queries(client, reverse(name)) == one


@pytest.mark.parametrize("name", PAGES)
def test_employer_data_runs_the_same_queries_for_1_and_6_offers(client, name):
    user = UserFactory(employer=True)
    company = CompanyFactory(member=user)
    client.force_login(user)

    def add_offers(count):
        for _ in range(count):
            offer = OfferFactory(company=company)
            Match.objects.create(candidate=CandidateProfileFactory(), offer=offer, distance_km=3)

    add_offers(1)
    one = queries(client, reverse(name))
    add_offers(5)
    assert queries(client, reverse(name)) == one
