"""Les listes du tableau de bord des conseiller·es : autant de requêtes pour 1 ligne que pour 8."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.worklists import BOARD_LISTS
from matching.enums import MatchState
from matching.models import Match
from notifications.models import UndeliverableAddress
from tests.backoffice.factories import MatchFactory
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arras():
    return CommuneFactory(departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


def add_rows(commune, count):
    """`count` lignes dans chaque liste : profils (nouveaux) et offres sans paire (qui expirent bientôt), paires
    en attente, en contact (sans nouvelle depuis 15 jours, sans étape cochée depuis 10 jours), signées, adresses
    refusées."""
    for position in range(count):
        trades = [TradeFactory(code="coiffeur", family="beaute_soins"), TradeFactory(code=f"metier_{position}")]
        profile = CandidateProfileFactory(commune=commune, trades=trades)
        UndeliverableAddress.objects.create(email=profile.user.email, smtp_code=550)
        OfferFactory(
            company=CompanyFactory(commune=commune),
            commune=commune,
            expires_at=timezone.now() + datetime.timedelta(days=3),
        )
        for state in (MatchState.PROPOSED, MatchState.CONNECTED, MatchState.CONTRACT_SIGNED):
            match = MatchFactory(
                candidate=CandidateProfileFactory(commune=commune),
                offer=OfferFactory(commune=commune),
                state=state,
                outcome_at=timezone.now() if state == MatchState.CONTRACT_SIGNED else None,
            )
            Match.objects.filter(pk=match.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=10),
                updated_at=timezone.now() - datetime.timedelta(days=15),
                connected_at=timezone.now() - datetime.timedelta(days=10, hours=1),  # sans étape depuis 10 jours
            )


def queries(client, url) -> tuple[int, int]:
    """(requêtes, lignes affichées ou exportées)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    return len(captured), content.count("<tr") + content.count("\n") * ("format=csv" in url)


@pytest.mark.parametrize("slug", list(BOARD_LISTS))
@pytest.mark.parametrize("export", ["", "?format=csv"])
def test_list_runs_the_same_queries_for_1_and_8_rows(advisor_client, arras, slug, export):
    url = f"/conseiller/listes/{slug}{export}"
    add_rows(arras, 1)
    one, rows_for_one = queries(advisor_client, url)
    add_rows(arras, 7)
    eight, rows_for_eight = queries(advisor_client, url)
    assert eight == one
    assert rows_for_eight >= rows_for_one + 7


def test_dashboard_runs_the_same_queries_for_1_and_8_rows(advisor_client, arras):
    add_rows(arras, 1)
    one, _rows = queries(advisor_client, "/conseiller/")
    add_rows(arras, 7)
    assert queries(advisor_client, "/conseiller/")[0] == one
