"""Parcours complet d'un·e jeune sur téléphone : inscription, profil en 3 écrans, première mise en relation."""

import re

import pytest
from django.utils import timezone

from core.phone import format_phone
from matching.enums import MatchState
from matching.models import Match
from notifications.models import OutboxEmail
from offers.services import offer_publish
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_page(page):
    assert_fits_width(page)
    assert_accessible(page)


def click_label(page, text):
    page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).click()


def test_candidate_signs_up_fills_profile_and_answers_a_match(phone_page, live_server):
    page = phone_page
    CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.7500, lng=2.2500)
    arques = CommuneFactory(code="62040", name="Arques", postal_codes=["62510"], lat=50.7350, lng=2.3030)
    baker = TradeFactory(code="boulanger", label="Boulanger / Boulangère", family="alimentation")
    TradeFactory(code="coiffeur", label="Coiffeur / Coiffeuse", family="beaute_soins")
    company = CompanyFactory(name="Boulangerie du Marais", commune=arques)
    offer = OfferFactory(
        draft=True, company=company, trade=baker, levels=["3"], description="Fournil au feu de bois, équipe de 4."
    )
    offer_publish(offer=offer)  # comme l'employeur : la mise en relation suit la publication

    # Accueil -> écran 1
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Je cherche un employeur").click()
    page.wait_for_url("**/candidat/inscription")
    assert "Étape 1 sur 3" in page.locator(".fr-stepper").inner_text()
    check_page(page)

    # Écran 1 : une erreur d'abord (14 ans), gardée à côté du champ, la saisie conservée
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Date de naissance").fill("2020-01-01")
    page.get_by_label("Adresse e-mail").fill("ines.martin@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    assert "Il faut avoir au moins 15 ans" in page.locator(".fr-error-text").inner_text()
    assert page.get_by_label("Adresse e-mail").input_value() == "ines.martin@example.org"
    check_page(page)
    page.get_by_label("Date de naissance").fill("2008-05-14")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/verifiez-vos-emails")
    assert page.locator("h1").inner_text() == "Vérifie tes e-mails"
    check_page(page)

    # Le lien magique, lu dans l'outbox
    body = OutboxEmail.objects.get(to="ines.martin@example.org").body
    path = re.search(r"/connexion/lien/\S+", body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url("**/candidat/profil/etape-2")

    # Écran 2 : où et quoi (au clavier pour le filtre des métiers)
    assert "Étape 2 sur 3" in page.locator(".fr-stepper").inner_text()
    check_page(page)
    page.get_by_label("Ta commune").fill("Saint-Omer (62500)")
    assert page.get_by_label("30 km").is_checked()
    click_label(page, "J'ai le permis de conduire")
    page.get_by_label("Chercher un métier").focus()
    page.keyboard.type("boulang")
    assert page.get_by_text("1 métier(s) trouvé(s).").is_visible()
    assert not page.get_by_label("Coiffeur / Coiffeuse").is_visible()
    page.keyboard.press("Tab")  # résumé de la famille « Alimentation »
    page.keyboard.press("Tab")  # case « Boulanger / Boulangère »
    page.keyboard.press("Space")
    assert page.get_by_label("Boulanger / Boulangère").is_checked()
    click_label(page, "Niveau 3 : CAP, BEP")
    check_page(page)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/candidat/profil/etape-3")

    # Écran 3 : quand et comment (une erreur de téléphone d'abord)
    assert "Étape 3 sur 3" in page.locator(".fr-stepper").inner_text()
    check_page(page)
    click_label(page, "Contrat d'apprentissage")
    page.get_by_label("Mois où tu peux commencer").select_option(label="septembre")
    page.get_by_label("Année").select_option(index=1)
    click_label(page, "Non")
    page.get_by_label("Téléphone").fill("06 12")
    page.get_by_label("Quelques mots sur toi").fill("J'adore faire du pain avec mon grand-père.")
    with page.expect_navigation():
        page.get_by_role("button", name="Terminer mon profil").click()
    assert "Ce numéro de téléphone français n'est pas valide" in page.locator(".fr-error-text").inner_text()
    assert page.get_by_label("Quelques mots sur toi").input_value() == "J'adore faire du pain avec mon grand-père."
    check_page(page)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_role("button", name="Terminer mon profil").click()
    page.wait_for_url("**/candidat/profil/termine")
    assert page.locator("h1").inner_text() == "Ton profil est prêt !"
    check_page(page)

    # La mise en relation faite par le moteur (tâche lancée après le commit)
    page.get_by_role("link", name="Voir mes mises en relation").click()
    page.wait_for_url("**/candidat/")
    card = page.locator(".fr-card", has_text="Boulangerie du Marais")
    assert card.is_visible()
    assert "Boulanger / Boulangère" in card.inner_text()
    assert "Arques" in card.inner_text()
    assert "Fournil au feu de bois" in card.inner_text()
    check_page(page)
    with page.expect_navigation():
        card.get_by_role("button", name="Je suis intéressé·e").click()
    assert page.get_by_text("C'est noté : l'employeur est prévenu de ton intérêt.").is_visible()
    card = page.locator(".fr-card", has_text="Boulangerie du Marais")
    assert "En attente de la réponse de l'employeur" in card.text_content()
    assert card.get_by_role("button", name="Je suis intéressé·e").count() == 0
    check_page(page)
    assert Match.objects.get().state == MatchState.CANDIDATE_INTERESTED

    # Le profil, modifiable
    page.get_by_role("link", name="Mon profil").click()
    page.wait_for_url("**/candidat/profil")
    assert page.get_by_label("Téléphone").input_value() == "06 12 34 56 78"
    check_page(page)


def sign_in(page, live_server, user, next_url):
    """Connexion par la page /connexion et le lien reçu (lu dans l'outbox)."""
    page.goto(f"{live_server.url}/connexion?next={next_url}")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_role("button", name="Recevoir mon lien").click()
    page.wait_for_url("**/verifiez-vos-emails*")  # « ?pour=candidat » après une suite sous /candidat/
    body = OutboxEmail.objects.filter(to=user.email).latest("pk").body
    page.goto(live_server.url + re.search(r"/connexion/lien/\S+", body).group(0))
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(f"**{next_url}")


def test_matches_profile_and_status_pages_with_keyboard(phone_page, live_server):
    page = phone_page
    profile = CandidateProfileFactory()
    waiting = Match.objects.create(
        candidate=profile,
        offer=OfferFactory(
            trade=profile.trades.first(), company__name="Salon Lumière", description="Salon en centre-ville."
        ),
        score=2,
        distance_km=8,
    )
    connected = Match.objects.create(
        candidate=profile,
        offer=OfferFactory(trade=profile.trades.first(), company__name="Boulangerie Dupain"),
        score=1,
        distance_km=3,
        state=MatchState.CONNECTED,
    )
    member = connected.offer.company.members.first()
    sign_in(page, live_server, profile.user, "/candidat/")
    cards = page.locator(".fr-card")
    assert "Salon Lumière" in cards.nth(0).inner_text()  # le meilleur score d'abord
    contact = cards.nth(1).text_content()
    assert "En relation" in contact and member.email in contact and format_phone(member.phone) in contact
    check_page(page)

    # Au clavier seul : aller jusqu'au bouton « Pas intéressé·e » et l'activer.
    button = cards.nth(0).get_by_role("button", name="Pas intéressé·e")
    for _ in range(60):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Bouton « Pas intéressé·e » jamais atteint au clavier")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Pas de suite" in page.locator(".fr-card", has_text="Salon Lumière").text_content()
    waiting.refresh_from_db()
    assert waiting.state == MatchState.NO_FOLLOW_UP
    check_page(page)

    page.get_by_role("link", name="Mon profil").click()
    page.wait_for_url("**/candidat/profil")
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Je ne cherche plus pour l'instant").click()
    assert page.get_by_text("tu ne recevras plus de mise en relation").is_visible()
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Je cherche à nouveau un employeur").click()
    page.get_by_role("link", name="J'ai trouvé un contrat").click()
    page.wait_for_url("**/contrat-trouve")
    check_page(page)
    click_label(page, "Oui, grâce à une mise en relation du service")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    assert page.get_by_text("Bravo pour ton contrat").is_visible()
    profile.refresh_from_db()
    assert profile.found_through_service is True


@pytest.mark.parametrize("age_choice", ["15", "30"])
def test_age_rules_appear_only_when_relevant(desktop_page, live_server, age_choice):
    page = desktop_page
    page.goto(live_server.url + "/candidat/inscription")
    college = page.get_by_text("J'ai terminé le collège (classe de 3e)")
    exceptions = page.get_by_text("Si tu as 30 ans ou plus : ta situation")
    assert not college.is_visible() and not exceptions.is_visible()
    today = timezone.localdate()
    born = today.replace(year=today.year - int(age_choice), day=min(today.day, 28))
    page.get_by_label("Date de naissance").fill(born.isoformat())
    assert college.is_visible() == (age_choice == "15")
    assert exceptions.is_visible() == (age_choice == "30")
    page.get_by_label("Prénom").fill("Sam")
    page.get_by_label("Nom", exact=True).fill("Lee")
    page.get_by_label("Adresse e-mail").fill(f"sam{age_choice}@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    error = page.locator(".fr-error-text").inner_text()
    assert ("terminé le collège" in error) if age_choice == "15" else ("Tu as 30 ans" in error)
    check_page(page)
