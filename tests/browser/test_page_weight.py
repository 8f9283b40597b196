"""Écoconception : poids transféré et nombre de requêtes des pages de l'échantillon de l'audit d'accessibilité.

Ici, sur le serveur des tests : les fichiers statiques y sont lus dans les applications, sans la compression de
la production ; seule la visite suivante (cache actif : la page elle-même et ce qui n'est pas en cache) se compare
au budget de 50 Ko. Le poids de la première visite (budget de 500 Ko) se mesure sur un serveur en configuration de
production : scripts/page_weights.py, chiffres publiés dans docs/accessibilite/.
"""

import pytest
from django.conf import settings
from django.db import connections

from matching.models import Match
from stats.services import stats_refresh
from tests.backoffice.factories import AdvisorFactory
from tests.browser.page_weight import NEXT_VISIT_BUDGET, measure_pages, open_session, sample_pages, table
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    connections.close_all()


def test_each_sampled_page_is_light_on_the_next_visit(browser, live_server):
    arras = CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)
    trade = TradeFactory(code="boulanger")
    company = CompanyFactory(commune=arras, name="Fournil d'Arras")
    offer = OfferFactory(company=company, trade=trade)
    candidate = CandidateProfileFactory(commune=arras, trades=[trade])
    Match.objects.create(candidate=candidate, offer=offer, distance_km=1.0)
    stats_refresh()
    sessions = {
        "candidate": open_session(candidate.user),
        "employer": open_session(company.members.first()),
        "advisor": open_session(AdvisorFactory().user, verified=True),
    }
    connections.close_all()
    rows = measure_pages(
        browser, live_server.url, sessions, offer_id=offer.pk, cookie_name=settings.SESSION_COOKIE_NAME
    )
    print(table(rows))
    assert [row[1] for row in rows] == [path for _label, path, _who in sample_pages(offer.pk)]
    for label, _path, (first_bytes, first_count), (next_bytes, _next_count) in rows:
        assert first_bytes > 0 and first_count > 0, label
        assert next_bytes < NEXT_VISIT_BUDGET, f"{label} : {next_bytes} octets à la visite suivante"


def test_each_sampled_page_fits_320_pixels(browser, live_server):
    """RGAA 10.11 : à 320 px, la page ne défile pas en largeur (le formulaire d'offre débordait, et les tableaux de
    /stats faisaient défiler toute la page)."""
    from tests.browser.conftest import assert_fits_width
    from tests.stats.factories import candidates, moment

    arras = CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)
    # Des libellés de métier longs : la liste déroulante du formulaire d'offre prend la largeur du plus long.
    trade = TradeFactory(code="boulanger", label="Boulanger / Boulangère spécialisé·e en viennoiserie et pâtisserie")
    company = CompanyFactory(commune=arras, name="Fournil d'Arras")
    offer = OfferFactory(company=company, trade=trade)
    for month in range(1, 13):  # une année de chiffres : des tableaux longs et larges
        candidates(5, commune=arras, trades=[trade], created_at=moment(2026, month))
    stats_refresh()
    session = open_session(company.members.first())
    connections.close_all()
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    for _label, path, _who in sample_pages(offer.pk):
        if path.startswith(("/candidat/", "/conseiller/")) and path != "/candidat/inscription":
            continue  # d'autres sessions : vérifiées à 320 px par l'audit (scripts), à 375 px par leurs tests
        page.goto(live_server.url + path, wait_until="networkidle")
        assert_fits_width(page)
    context.close()
