"""La page des membres d'un établissement : autant de requêtes pour un membre que pour huit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.offers.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_members_page_runs_the_same_queries_for_1_and_8_members(client):
    user = UserFactory(employer=True)
    client.force_login(user)
    company = CompanyFactory(member=user)
    url = reverse("employers:company_members", args=[company.pk])
    one = queries(client, url)
    for position in range(7):
        MembershipFactory(company=company, pending=position % 2 == 0)
    assert queries(client, url) == one
    assert len(client.get(url).context["memberships"]) == 8
