"""Trois signalements de jeunes différent·es suspendent la mise en relation de l'offre jusqu'à la décision d'un·e
conseiller·e (les signalements depuis l'espace candidat·e : tests/matching/test_candidate_report.py)."""

import pytest

from offers import services
from tests.matching.factories import MatchFactory

pytestmark = pytest.mark.django_db


def test_three_distinct_candidates_suspend_the_offer_matching(client):
    first = MatchFactory()
    offer = first.offer
    services.report_create(offer=offer, reporter=first.candidate.user, target="offre", reason="fausse")
    second = MatchFactory(offer=offer)
    services.report_create(offer=offer, reporter=second.candidate.user, target="employeur", reason="deplace")
    offer.refresh_from_db()
    assert not offer.matching_suspended
    with pytest.raises(services.ReportError):
        services.report_create(offer=offer, reporter=second.candidate.user, target="offre", reason="fausse")
    third = MatchFactory(offer=offer)
    services.report_create(offer=offer, reporter=third.candidate.user, target="offre", reason="autre", text="  ")
    offer.refresh_from_db()
    assert offer.matching_suspended and offer.is_published and not offer.is_matchable
