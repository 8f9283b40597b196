"""Sur téléphone, sans compte : chercher « Saint-Omer, 30 km, boulanger », voir la liste et la carte, ouvrir une
offre, créer son profil avec la recherche déjà remplie."""

import re

import pytest

from matching import indexes
from notifications.models import OutboxEmail
from tests.browser.conftest import PHONE, assert_accessible, assert_fits_width
from tests.candidates.factories import CommuneFactory, TradeFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offers():
    CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.7500, lng=2.2520)
    arques = CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.7360, lng=2.3030)
    aire = CommuneFactory(code="62014", name="Aire-sur-la-Lys", postal_codes=["62120"], lat=50.6390, lng=2.3960)
    lille = CommuneFactory(code="59350", name="Lille", postal_codes=["59000"], lat=50.6330, lng=3.0580)
    baker = TradeFactory(code="boulanger", label="Boulanger / Boulangère", family="alimentation")
    hairdresser = TradeFactory(code="coiffeur", label="Coiffeur / Coiffeuse", family="beaute_soins")
    marais = CompanyFactory(name="Boulangerie du Marais", commune=arques)
    near = OfferFactory(company=marais, commune=arques, trade=baker)
    OfferFactory(company=CompanyFactory(name="Fournil d'Aire", commune=aire), commune=aire, trade=baker)
    OfferFactory(company=CompanyFactory(name="Pains de Lille", commune=lille), commune=lille, trade=baker)
    OfferFactory(company=CompanyFactory(name="Salon Arques", commune=arques), commune=arques, trade=hairdresser)
    OfferFactory(
        company=CompanyFactory(name="Boulangerie non vérifiée", commune=arques, unverified=True),
        commune=arques,
        trade=baker,
    )
    indexes.offer_index_rebuild()
    return near


def check_page(page):
    assert_fits_width(page)
    assert_accessible(page)


def test_search_on_a_phone_then_sign_up_with_the_search(phone_page, live_server, offers):
    page = phone_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Voir les offres près de chez toi, sans créer de compte").click()
    page.wait_for_url("**/offres")
    check_page(page)

    # Une erreur d'abord : le rayon hors limites, en français, la saisie gardée.
    page.get_by_label("Ta commune").fill("Saint-Omer")
    page.get_by_label("Distance (km)").fill("500")
    page.get_by_label("Métier (Optionnel)").select_option(label="Boulanger / Boulangère")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher").click()
    assert "La distance ne peut pas dépasser 200 km." in page.locator(".fr-error-text").inner_text()
    assert page.get_by_label("Ta commune").input_value() == "Saint-Omer"
    check_page(page)

    page.get_by_label("Distance (km)").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher").click()
    assert "commune=" in page.url and "metier=boulanger" in page.url

    # La liste : les deux boulangeries à moins de 30 km, la plus proche d'abord ; ni Lille, ni la coiffure, ni
    # l'entreprise non vérifiée.
    assert page.locator("#resultats-titre").inner_text() == "2 offres à moins de 30 km de Saint-Omer"
    titles = page.locator(".cmc-results .fr-card__title").all_inner_texts()
    assert [re.sub(r"\s+", " ", title).strip() for title in titles] == [
        "1 Boulanger / Boulangère chez Boulangerie du Marais",
        "2 Boulanger / Boulangère chez Fournil d'Aire",
    ]
    first_card = page.locator(".cmc-results > li").first
    assert "à 4 km" in first_card.inner_text()
    assert "même métier : Boulanger / Boulangère" in first_card.inner_text()

    # La carte : le cercle, la commune cherchée et les deux offres numérotées, avec son texte.
    figure = page.locator("figure.cmc-map")
    figure.scroll_into_view_if_needed()
    assert figure.is_visible()
    assert page.locator("svg.cmc-map__svg circle.cmc-map__area").count() == 1
    assert page.locator("svg.cmc-map__svg g.cmc-map__offer").count() == 2
    assert page.locator("svg.cmc-map__svg title").text_content() == "Carte des offres autour de Saint-Omer"
    # Dessinés pour de vrai : le cercle occupe la figure, les deux offres sont dedans, à deux endroits.
    frame = page.locator("svg.cmc-map__svg").bounding_box()
    area = page.locator("svg.cmc-map__svg circle.cmc-map__area").bounding_box()
    assert area["width"] > frame["width"] * 0.8
    points = [box.bounding_box() for box in page.locator("svg.cmc-map__svg g.cmc-map__offer circle").all()]
    for point in points:
        assert area["x"] <= point["x"] <= area["x"] + area["width"]
        assert area["y"] <= point["y"] <= area["y"] + area["height"]
    assert points[0] != points[1]
    check_page(page)

    # L'offre, puis l'inscription avec la recherche.
    first_card.get_by_role("link", name=re.compile("Boulangerie du Marais")).click()
    page.wait_for_url(f"**/offres/{offers.pk}?**")
    assert "Boulanger / Boulangère en alternance à Arques" in page.locator("h1").inner_text()
    check_page(page)
    page.get_by_role("link", name="Je m'inscris comme candidat·e").click()
    page.wait_for_url("**/candidat/inscription?**")
    assert (
        "Ta recherche est gardée : Boulanger / Boulangère, à 30 km de Saint-Omer."
        in page.locator(".fr-alert").inner_text()
    )
    check_page(page)
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Date de naissance").fill("2008-05-14")
    page.get_by_label("Adresse e-mail").fill("ines.martin@example.org")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/verifiez-vos-emails")

    body = OutboxEmail.objects.get(to="ines.martin@example.org").body
    page.goto(live_server.url + re.search(r"/connexion/lien/\S+", body).group(0))
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url("**/candidat/profil/etape-2")

    # L'écran « Où et quoi » est déjà rempli : il ne reste que le niveau (et la mobilité, facultative).
    assert page.get_by_label("Ta commune").input_value() == "Saint-Omer (62500)"
    assert page.get_by_label("30 km").is_checked()
    assert page.get_by_label("Boulanger / Boulangère").is_checked()
    check_page(page)


def test_search_works_without_javascript(browser, live_server, offers):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/offres")
    page.get_by_label("Ta commune").fill("62500")
    page.get_by_label("Famille de métiers").select_option(label="Alimentation")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#resultats-titre").inner_text() == "2 offres à moins de 30 km de Saint-Omer"
    assert page.locator("svg.cmc-map__svg g.cmc-map__offer").count() == 2
    context.close()


def test_partner_widget_on_a_phone(phone_page, live_server, offers):
    from partners.services import widget_create

    widget_create(name="CMA Hauts-de-France", slug="cma-hdf", origins=["https://www.cma-hautsdefrance.fr"])
    page = phone_page
    page.goto(live_server.url + "/widget/cma-hdf")
    page.get_by_label("Ta commune").fill("Saint-Omer")
    page.get_by_label("Métier (Optionnel)").select_option(label="Boulanger / Boulangère")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher").click()
    assert page.locator("#resultats-titre").inner_text() == "2 offres à moins de 30 km de Saint-Omer"
    assert page.locator(".cmc-results a[target=_blank]").count() == 4  # l'offre et l'inscription, par carte
    check_page(page)
