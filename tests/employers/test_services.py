"""Rattachement par ProConnect : contrat de `membership_approve_from_proconnect`, vu depuis l'espace employeur."""

import pytest
from django.urls import reverse

from employers.services import membership_approve_from_proconnect
from tests.accounts.factories import UserFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def test_known_siret_opens_the_company_space_to_the_user(client):
    company = CompanyFactory(siret="83014132100034", name="Boulangerie du Beffroi")
    offer = OfferFactory(company=company)
    user = UserFactory(employer=True)
    assert membership_approve_from_proconnect(user=user, siret="83014132100034") == company
    client.force_login(user)
    page = text(client.get(reverse("matching:employer_home")))
    assert reverse("matching:offer_detail", args=[offer.pk]) in page
    assert client.get(reverse("matching:offer_detail", args=[offer.pk])).status_code == 200


def test_unknown_siret_returns_none_and_creates_nothing(client):
    user = UserFactory(employer=True)
    CompanyFactory(siret="83014132100026")
    assert membership_approve_from_proconnect(user=user, siret="83014132100034") is None
    client.force_login(user)
    assert "Ajoutez votre établissement" in text(client.get(reverse("matching:employer_home")))
