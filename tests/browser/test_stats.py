import pytest

from stats.services import stats_refresh
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.stats.factories import candidates, commune_in, match, moment, offer, trade

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def figures():
    arras, lyon = commune_in("62"), commune_in("69", region="84")
    bakery = trade("alimentation", "boulanger")
    young = candidates(7, commune=arras, trades=[bakery], created_at=moment(2026, 1))
    candidates(2, commune=lyon, trades=[bakery], created_at=moment(2026, 2))
    for candidate in young[:6]:
        match(candidate=candidate, offer=offer(commune=arras, trade=bakery, published_at=moment(2026, 3)))
    stats_refresh()


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_stats_page_shows_figures_and_charts_accessibly(request, live_server, figures, page_fixture):
    page = request.getfixturevalue(page_fixture)
    page.goto(live_server.url + "/stats", wait_until="networkidle")
    assert page.locator("h1").inner_text() == "Statistiques"
    assert page.locator('[data-indicateur="candidats_inscrits"]').inner_text() == "9"
    assert page.locator('[data-indicateur="offres_publiees"]').inner_text() == "6"
    assert page.locator('svg.stats-chart[role="img"] > title').count() == 7
    assert page.locator("svg.stats-map g[data-departement]").count() == 2  # les départements de la base
    assert page.locator('[data-testid="carte-tableau"] tbody tr').count() == 2
    assert page.locator('[data-parcours="paires_proposees"]').inner_text() == "6"
    assert page.locator("svg rect.stats-chart__bar").count() > 0
    assert page.get_by_text("secret", exact=True).first.is_visible()
    assert_fits_width(page)
    assert_accessible(page)


def test_stats_filters_work_without_javascript(browser, live_server, figures):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + "/stats")
    page.get_by_label("Région").select_option("32")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state("networkidle")
    assert "region=32" in page.url
    # 7 jeunes dans les Hauts-de-France, 2 ailleurs, 9 en France : les 7 sont masqués en second (9 - 7 = 2).
    assert page.locator('[data-indicateur="candidats_inscrits"]').inner_text() == "secret"
    assert page.locator('[data-indicateur="offres_publiees"]').inner_text() == "6"
    assert page.get_by_text("Chiffres par département depuis le début").is_visible()
    context.close()


def test_public_offer_page_is_accessible(phone_page, live_server):
    arras = commune_in("62", name="Arras")
    published = offer(commune=arras, trade=trade("alimentation", "boulanger"), published_at=moment(2026, 3))
    phone_page.goto(f"{live_server.url}/offres/{published.pk}", wait_until="networkidle")
    assert "en alternance à Arras" in phone_page.locator("h1").inner_text()
    assert phone_page.get_by_role("link", name="Je m'inscris comme candidat·e").is_visible()
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
