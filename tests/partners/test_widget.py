"""Le module de recherche intégré aux sites des CMA et des CFA : /widget/<slug>."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from matching import indexes
from partners.models import Widget
from partners.services import WidgetError, widget_create
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db

CMA = "https://www.cma-hautsdefrance.fr"


@pytest.fixture
def widget():
    return widget_create(name="CMA Hauts-de-France", slug="cma-hdf", origins=[f"{CMA}/apprentissage", "https://cfa.fr"])


def _get(client, widget, referer=None, **params):
    headers = {"Referer": referer} if referer else {}
    return client.get(reverse("partners:widget", kwargs={"slug": widget.slug}), params, headers=headers)


def test_widget_can_be_framed_only_by_the_partner_sites(client, widget):
    response = _get(client, widget, referer=f"{CMA}/trouver-un-employeur")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://cfa.fr https://www.cma-hautsdefrance.fr" in csp
    assert "script-src 'self' 'nonce-" in csp  # le reste de la CSP stricte est gardé
    assert "Set-Cookie" not in response  # aucun cookie : rien de personnel


def test_a_site_outside_the_allow_list_gets_403_in_french(client, widget):
    response = _get(client, widget, referer="https://pirate.example/page")
    assert response.status_code == 403
    assert "réservé aux sites de CMA Hauts-de-France" in response.content.decode().replace("&#x27;", "'")
    assert "frame-ancestors https://cfa.fr https://www.cma-hautsdefrance.fr" in response["Content-Security-Policy"]


def test_unknown_or_inactive_widget_is_404(client, widget):
    assert client.get("/widget/inconnu").status_code == 404
    Widget.objects.filter(pk=widget.pk).update(is_active=False)
    assert _get(client, widget).status_code == 404


def test_widget_searches_and_links_to_the_full_site_in_a_new_window(client, widget, settings):
    settings.SITE_URL = "https://cestmachance.fr"
    arques = CommuneFactory(code="62040", name="Arques", lat=50.736, lng=2.303)
    CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.75, lng=2.252)
    offer = OfferFactory(company=CompanyFactory(commune=arques), commune=arques)
    indexes.offer_index_rebuild()
    response = _get(client, widget, referer=f"{settings.SITE_URL}/widget/cma-hdf", commune="62765", rayon="30")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="https://cestmachance.fr/offres/{offer.pk}?commune=62765&amp;rayon=30" target="_blank"' in html
    assert 'action="/widget/cma-hdf"' in html
    assert 'id="header-navigation"' not in html  # ni en-tête ni menu du site : un module
    bad = _get(client, widget, commune="62765", rayon="900")
    assert "La distance ne peut pas dépasser 200 km." in bad.content.decode()


def test_origins_are_normalized_and_checked():
    created = widget_create(name="CFA", slug="cfa", origins=["HTTPS://CFA.example:8443/x", "https://cfa.example:8443"])
    assert created.allowed_origins == ["https://cfa.example:8443"]
    with pytest.raises(WidgetError, match="n'est pas l'adresse d'un site"):
        widget_create(name="CFA", slug="autre", origins=["javascript:alert(1)"])
    with pytest.raises(WidgetError, match="au moins un site"):
        widget_create(name="CFA", slug="vide", origins=[])
    with pytest.raises(CommandError, match="déjà prise"):
        call_command("create_widget", "CFA", "cfa", "--origine", "https://cfa.example")
