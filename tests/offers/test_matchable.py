"""Seules les offres d'une entreprise vérifiée, non suspendues, sont mises en relation (`Offer.objects.matchable`)."""

import datetime

import pytest

from employers import services as employer_services
from employers.enums import VerificationSource
from matching import rematch
from matching.models import Match
from offers import services
from offers.models import Offer
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair_world():
    """Un profil qui cherche et une offre à 4 km qui lui correspond, d'une entreprise à vérifier."""
    home = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.75, lng=2.25)
    near = CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.735, lng=2.303)
    baker = TradeFactory()
    profile = CandidateProfileFactory(
        commune=home, radius_km=30, trades=[baker], level="3", birth_date=datetime.date(2005, 5, 14)
    )
    company = CompanyFactory(commune=near, unverified=True)
    offer = OfferFactory(company=company, trade=baker, levels=["3"])
    return {"profile": profile, "company": company, "offer": offer}


def test_matchable_is_published_verified_and_not_suspended():
    verified = OfferFactory()
    OfferFactory(company=CompanyFactory(unverified=True))
    OfferFactory(matching_suspended=True)
    OfferFactory(draft=True)
    assert list(Offer.objects.matchable()) == [verified]
    assert [offer.is_matchable for offer in Offer.objects.order_by("pk")] == [True, False, False, False]


def test_an_unverified_company_is_published_but_not_matched_until_verified(
    pair_world, django_capture_on_commit_callbacks
):
    offer, profile = pair_world["offer"], pair_world["profile"]
    rematch.rematch_offer(offer.pk)
    rematch.rematch_candidate(profile.pk)
    assert not Match.objects.exists()
    assert offer.is_published
    with django_capture_on_commit_callbacks(execute=True):
        employer_services.company_verify(company=pair_world["company"], source=VerificationSource.ADVISOR)
    assert Match.objects.get().offer == offer
    rematch.rematch_all(notify=False)  # le recalcul complet retient la même paire
    assert Match.objects.filter(is_active=True).count() == 1


def test_the_full_rematch_skips_unverified_companies(pair_world):
    rematch.rematch_all(notify=False)
    assert not Match.objects.exists()


def test_suspending_the_offer_deactivates_its_pairs_and_resuming_brings_them_back(
    pair_world, django_capture_on_commit_callbacks
):
    rematch.rematch_candidate(pair_world["profile"].pk)  # le profil entre dans l'index
    with django_capture_on_commit_callbacks(execute=True):
        employer_services.company_verify(company=pair_world["company"], source=VerificationSource.ADVISOR)
    offer = pair_world["offer"]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_matching_suspend(offer=offer)
    assert not Match.objects.get().is_active
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_reports_decide(offer=offer, keep=True)
    assert Match.objects.get().is_active
