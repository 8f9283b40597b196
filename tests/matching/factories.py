"""Fabriques utiles à la mise en relation : on réutilise celles des candidat·es et des offres."""

import datetime

import factory
from django.utils import timezone

from matching.models import Match
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory

__all__ = [
    "CandidateProfileFactory",
    "CommuneFactory",
    "CompanyFactory",
    "MatchFactory",
    "OfferFactory",
    "TradeFactory",
]

KM_PER_DEGREE = 111.19508  # rayon terrestre moyen de geo.distance


def commune_at(km_north: float, **kwargs):
    """Une commune à `km_north` km au nord du point par défaut (50,75 ; 2,25)."""
    return CommuneFactory(lat=50.75 + km_north / KM_PER_DEGREE, lng=2.25, **kwargs)


def next_month_start():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    candidate = factory.SubFactory(CandidateProfileFactory)
    offer = factory.SubFactory(OfferFactory)
    score = 50
    distance_km = 3
