"""Parcours employeur au téléphone : inscription par SIRET, offre sur un écran, candidat·es, mise en relation."""

import json
import re

import httpx
import pytest

from matching import rematch
from matching import services as matching_services
from matching.models import Match
from notifications.models import OutboxEmail
from offers.models import Offer
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.candidates.factories import CandidateProfileFactory
from tests.employers.conftest import SAMPLE
from tests.geo.factories import CommuneFactory
from tests.offers.factories import TradeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tick(page, label):
    """Coche une case DSFR (la case est masquée, on clique son libellé)."""
    box = page.get_by_role("checkbox", name=label)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked()


def _check(page):
    assert_fits_width(page)
    assert_accessible(page)


def _craft_sample() -> dict:
    """La réponse de l'annuaire, pour un établissement inscrit au répertoire des métiers (vérifié d'office)."""
    data = json.loads(json.dumps(SAMPLE))
    data["results"][0]["matching_etablissements"][0]["activite_principale_registre_metier"] = "1071BZ"
    return data


@pytest.fixture
def world(monkeypatch):
    craft = _craft_sample()
    monkeypatch.setattr(
        "employers.companies_api.default_transport",
        lambda: httpx.MockTransport(lambda request: httpx.Response(200, json=craft)),
    )
    trade = TradeFactory()
    calais = CommuneFactory(code="62193", name="Calais", postal_codes=["62100"], lat=50.95, lng=1.85)
    near = CommuneFactory(code="62160", name="Coquelles", postal_codes=["62231"], lat=50.93, lng=1.80)
    keen = CandidateProfileFactory(
        commune=near,
        user__first_name="Camille",
        user__last_name="Martin",
        user__email="camille.martin@example.org",
        user__phone="+33698765432",
        presentation="J'aime me lever tôt et faire du pain.",
    )
    other = CandidateProfileFactory(
        commune=calais,
        user__first_name="Noah",
        user__last_name="Durand",
        user__email="noah.durand@example.org",
        user__phone="+33611223344",
    )
    for profile in (keen, other):
        rematch.rematch_candidate(profile.pk, notify=False)
    return {"trade": trade, "keen": keen, "other": other}


def test_employer_signs_up_posts_an_offer_and_meets_a_candidate(phone_page, live_server, world):
    page = phone_page
    page.goto(live_server.url + "/employeur/inscription")
    _check(page)
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_label("Nom", exact=True).fill("Fournier")
    page.get_by_label("Adresse e-mail").fill("paul@boulangerie.fr")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("SIRET de l'établissement").fill("830 141 321 00034")
    # L'annuaire des entreprises (simulé) pré-remplit le reste.
    name = page.get_by_label("Nom de l'entreprise")
    page.wait_for_function("() => document.querySelector('[name=company_name]').value !== ''")
    assert name.input_value() == "BOULANGERIE DU BEFFROI"
    assert page.locator("[name=commune]").input_value() == "Calais (62100)"
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/connexion/verifiez-vos-emails")
    _check(page)

    email = OutboxEmail.objects.get(to="paul@boulangerie.fr")
    path = re.search(r"/connexion/lien/\S+", email.body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url("**/employeur/")
    _check(page)

    page.get_by_role("link", name="Déposer une offre").first.click()
    page.wait_for_url("**/employeur/offres/nouvelle")
    _check(page)
    assert page.locator("[name=commune]").input_value() == "Calais (62100)"  # la commune de l'établissement
    page.get_by_label("Métier").select_option(label="Boulanger / Boulangère")
    assert page.get_by_role("checkbox", name="Diffuser aussi mon offre sur La bonne alternance").is_checked()
    _tick(page, "Niveau 3 : CAP, BEP")
    asap = page.get_by_role("radio", name="Dès que possible")  # un seul choix : le début du contrat
    page.locator(f"label[for='{asap.get_attribute('id')}']").click()
    assert asap.is_checked()
    _tick(page, "Travail de nuit ou très tôt le matin (avant 6 h)")
    page.get_by_role("button", name="Publier l'offre").click()
    page.wait_for_url("**/en-ligne")
    assert page.get_by_role("heading", name="Votre offre est en ligne").is_visible()
    _check(page)

    offer = Offer.objects.get()
    keen_match = Match.objects.get(offer=offer, candidate=world["keen"])
    assert Match.objects.filter(offer=offer, candidate=world["other"]).exists()
    matching_services.match_candidate_answer(match=keen_match, interested=True)

    page.get_by_role("link", name="Voir les candidat·es").click()
    page.wait_for_url(f"**/employeur/offres/{offer.pk}")
    content = page.content()
    assert "Camille M." in content and "Noah D." in content
    assert "camille.martin@example.org" not in content and "noah.durand@example.org" not in content
    assert page.get_by_text("Intéressé·e par votre offre").is_visible()
    _check(page)

    page.get_by_role("button", name="Intéressé par Camille M.").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vous êtes en relation").is_visible()
    assert page.get_by_role("link", name="camille.martin@example.org").is_visible()
    assert page.get_by_role("link", name="06 98 76 54 32").is_visible()
    assert "noah.durand@example.org" not in page.content()
    _check(page)

    page.get_by_role("link", name="Mes offres").first.click()
    page.wait_for_url("**/employeur/")
    assert page.get_by_text("1 en contact").is_visible()
    assert page.get_by_text("1 nouveau profil").is_visible()
    _check(page)
    page.get_by_role("link", name="Ajouter un établissement").click()
    page.wait_for_url("**/employeur/etablissements/ajouter")
    _check(page)


def test_the_form_works_without_the_companies_directory(phone_page, live_server, world, monkeypatch):
    """Annuaire injoignable : on remplit à la main, les erreurs gardent la saisie, et l'inscription aboutit
    avec un message clair (l'entreprise sera vérifiée par un·e conseiller·e)."""

    def down(request):
        raise httpx.ConnectTimeout("délai dépassé", request=request)

    monkeypatch.setattr("employers.companies_api.default_transport", lambda: httpx.MockTransport(down))
    page = phone_page
    page.goto(live_server.url + "/employeur/inscription")
    page.get_by_label("Prénom").fill("Lina")
    page.get_by_label("Nom", exact=True).fill("Petit")
    page.get_by_label("Adresse e-mail").fill("lina@example.org")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("SIRET de l'établissement").fill("830 141 321 000")
    page.get_by_label("Nom de l'entreprise").fill("Salon Lina")
    page.get_by_label("Commune de l'établissement").fill("Calais (62100)")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le SIRET doit compter 14 chiffres (vous en avez saisi 12).").is_visible()
    assert page.get_by_label("Nom de l'entreprise").input_value() == "Salon Lina"
    _check(page)
    page.get_by_label("SIRET de l'établissement").fill("83014132100034")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/connexion/verifiez-vos-emails")
    assert page.get_by_text("L'annuaire des entreprises ne répond pas en ce moment", exact=False).is_visible()
    _check(page)
    assert OutboxEmail.objects.filter(to="lina@example.org").exists()
