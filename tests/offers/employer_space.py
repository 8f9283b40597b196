"""Ce que partagent les tests des pages de l'employeur (ses offres, ses candidat·es) : un membre connecté et son
entreprise (fixtures chargées par tests/conftest.py), une candidate."""

import pytest

from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory


@pytest.fixture
def member(client):
    user = UserFactory(employer=True)
    client.force_login(user)
    return user


@pytest.fixture
def company(member):
    return CompanyFactory(member=member, name="Boulangerie Dupain")


def camille(**kwargs):
    user = UserFactory(
        candidate=True, first_name="Camille", last_name="Martin", email="camille@example.org", phone="+33698765432"
    )
    return CandidateProfileFactory(user=user, presentation="J'adore le pain.", **kwargs)
