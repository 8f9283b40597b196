"""Données pour les statistiques : profils, offres et mises en relation datés, dans des lieux choisis."""

import datetime

from django.utils import timezone

from matching.enums import MatchState
from matching.models import Match
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory, RegionFactory
from tests.offers.factories import OfferFactory, TradeFactory


def moment(year: int, month: int, day: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def commune_in(departement: str, region: str = "32", **kwargs):
    return CommuneFactory(departement=DepartementFactory(code=departement, region=RegionFactory(code=region)), **kwargs)


def trade(family: str = "alimentation", code: str | None = None):
    return TradeFactory(family=family, **({"code": code} if code else {}))


def candidates(count: int, *, commune, trades, created_at):
    return [CandidateProfileFactory(commune=commune, trades=trades, created_at=created_at) for _ in range(count)]


def offer(*, commune, trade, published_at, **kwargs):
    return OfferFactory(company__commune=commune, commune=commune, trade=trade, published_at=published_at, **kwargs)


def match(*, candidate, offer, state=MatchState.PROPOSED, created_at=None, connected_at=None):
    return Match.objects.create(
        candidate=candidate,
        offer=offer,
        distance_km=1.0,
        state=state,
        created_at=created_at or timezone.now(),
        connected_at=connected_at,
    )
