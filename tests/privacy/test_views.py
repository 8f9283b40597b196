import datetime
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from accounts.services import magic_link_send
from matching.enums import MatchState
from matching.models import Match
from privacy.services import is_anonymised
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(client):
    user = UserFactory(email="lea@example.org", first_name="Léa", last_name="Martin", phone="0601020304")
    profile = CandidateProfileFactory(user=user, presentation="J'adore le pain.")
    offer = OfferFactory(company__name="Boulangerie du Port")
    Match.objects.create(candidate=profile, offer=offer, distance_km=3.2, state=MatchState.CONNECTED)
    magic_link_send(user=user)
    client.force_login(user)
    return user


def test_my_data_requires_sign_in(client):
    response = client.get("/mes-donnees")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_data_shows_everything_held(client, candidate):
    page = text(client.get("/mes-donnees"))
    for expected in (
        "lea@example.org",
        "Léa",
        "0601020304",
        "J'adore le pain.",
        "Boulangerie du Port",
        "En relation",
        "1 lien de connexion",
        "Votre lien de connexion à C'est ma chance",
        "Contrat trouvé le",
    ):
        assert expected in page
    assert "Created at" not in page and "Found contract at" not in page  # aucun libellé anglais


def test_my_data_for_an_employer_lists_companies_and_offers(client):
    employer = UserFactory(employer=True)
    OfferFactory(company=CompanyFactory(member=employer, name="Garage Dupont"))
    client.force_login(employer)
    page = text(client.get("/mes-donnees"))
    assert "Garage Dupont" in page
    assert "Publiée" in page


def test_export_is_a_json_download(client, candidate):
    response = client.get("/mes-donnees/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["compte"]["adresse e-mail"] == "lea@example.org"
    assert data["profil candidat·e"]["présentation"] == "J'adore le pain."
    assert data["profil candidat·e"]["mises en relation"][0]["état"] == "En relation"
    assert data["liens de connexion"]["nombre"] == 1
    assert data["e-mails envoyés"][0]["objet"] == "Votre lien de connexion à C'est ma chance"


def test_delete_needs_the_confirmation_word(client, candidate):
    response = client.post("/mes-donnees/supprimer-mon-compte", {"confirmation": "oui"})
    assert response.status_code == 200
    assert "Écris exactement SUPPRIMER" in text(response)  # « tu » à un·e jeune
    assert 'value="oui"' in text(response)
    assert not is_anonymised(User.objects.get(pk=candidate.pk))


def test_delete_erases_at_once_and_signs_out(client, candidate):
    response = client.post("/mes-donnees/supprimer-mon-compte", {"confirmation": "supprimer"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Ton compte est supprimé" in text(response)
    user = User.objects.get(pk=candidate.pk)
    assert is_anonymised(user) and user.first_name == ""
    assert client.get("/mes-donnees").status_code == 302


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/donnees-personnelles", ["responsable du traitement", "mission d'intérêt public", "www.cnil.fr/fr/plaintes"]),
        ("/mentions-legales", ["Chambre de Métiers et de l'Artisanat Hauts-de-France", "Hébergeur Test SAS"]),
        ("/accessibilite", ["partiellement conforme", "axe-core", "320, 375 et 1280 pixels", "Défenseur des droits"]),
        ("/plan-du-site", ["Mentions légales", "Données personnelles", "Accessibilité"]),
    ],
)
@override_settings(HOSTING_PROVIDER="Hébergeur Test SAS", CONTACT_EMAIL="contact@cma-test.fr")
def test_public_duty_pages(client, url, expected):
    page = text(client.get(url))
    for phrase in expected:
        assert phrase in page


def test_personal_data_page_lists_each_processing_and_the_durations(client):
    page = text(client.get("/donnees-personnelles"))
    for phrase in (
        "Pour quoi faire ?",
        "Qui les voit ?",
        "Combien de temps ?",
        "Base légale",
        "supprimée après 30 jours",
    ):
        assert phrase in page
    assert page.count("Pour quoi faire ?") == 6


def test_footer_links_all_resolve(client):
    for url in ("/plan-du-site", "/accessibilite", "/mentions-legales", "/donnees-personnelles"):
        assert client.get(url).status_code == 200


def test_security_txt_follows_rfc_9116(client, settings):
    settings.SECURITY_CONTACT_EMAIL = "securite@cma-test.fr"
    response = client.get("/.well-known/security.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:securite@cma-test.fr"
    assert fields["Preferred-Languages"] == "fr, en"
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"
    expires = datetime.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    now = datetime.datetime.now(datetime.UTC)
    assert now < expires < now + datetime.timedelta(days=365)


@override_settings(JDMA_PRODUCT_ID="1234", JDMA_BUTTON_ID="5678")
def test_jdma_button_is_a_plain_link_without_remote_image():
    from django.template.loader import render_to_string

    html = render_to_string("privacy/_jdma_button.html")
    assert 'href="https://jedonnemonavis.numerique.gouv.fr/Demarches/1234?button=5678"' in html
    assert "Je donne mon avis" in html
    assert "<img" not in html and "bouton-bleu.svg" not in html


@override_settings(JDMA_PRODUCT_ID="", JDMA_BUTTON_ID="5678")
def test_jdma_button_is_hidden_when_not_configured():
    from django.template.loader import render_to_string

    assert render_to_string("privacy/_jdma_button.html").strip() == ""


def test_my_data_shows_the_franceconnect_identity(client, candidate):
    from franceconnect.models import FranceConnectIdentity

    FranceConnectIdentity.objects.create(
        user=candidate, sub="abc", given_name="Léa Marie", family_name="Martin", birthdate=datetime.date(2008, 7, 14)
    )
    page = text(client.get("/mes-donnees"))
    assert "Mon identité FranceConnect" in page
    assert "Léa Marie" in page and "14 juillet 2008" in page
    assert (
        json.loads(client.get("/mes-donnees/export.json").content)["identité FranceConnect"]["prénoms"] == "Léa Marie"
    )


def test_my_data_for_an_advisor_shows_territories(client):
    from tests.backoffice.factories import AdvisorFactory

    advisor = AdvisorFactory(departements=["62"])
    client.force_login(advisor.user)
    page = text(client.get("/mes-donnees"))
    assert "Mon rôle de conseiller·e" in page
    assert "Pas-de-Calais" in page
