"""Le profil terminé passe par le vrai moteur de mise en relation (tâches exécutées après le commit)."""

import datetime

import pytest

from candidates import services
from matching import selectors
from matching.models import Match
from offers.services import offer_publish
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db


def test_finishing_the_profile_creates_the_match(django_capture_on_commit_callbacks):
    home = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.75, lng=2.25)
    near = CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.735, lng=2.303)
    baker = TradeFactory()
    offer = OfferFactory(draft=True, company=CompanyFactory(commune=near), trade=baker, levels=["3"])
    with django_capture_on_commit_callbacks(execute=True):
        offer_publish(offer=offer)
    profile = CandidateProfileFactory(incomplete=True, birth_date=datetime.date(2008, 5, 14))
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_update(profile=profile, commune=home, radius_km=30, trades=[baker], level="3")
    assert not Match.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_update(
            profile=profile,
            complete=True,
            contract_types=["apprentissage"],
            available_from=datetime.date(2027, 9, 1),
        )
    match = Match.objects.get()
    assert (match.candidate, match.offer) == (profile, offer)
    assert selectors.match_reasons(match)
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_pause(profile=profile)
    match.refresh_from_db()
    assert not match.is_active
