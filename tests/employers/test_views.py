import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import MagicLink, User
from employers.models import Company
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    return CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])


def _data(commune, **overrides):
    data = {
        "first_name": "Paul",
        "last_name": "Fournier",
        "email": "Paul@Boulangerie.fr",
        "phone": "06 12 34 56 78",
        "siret": "830 141 321 00034",
        "company_name": "Boulangerie du Beffroi",
        "commune": commune.code,
        "naf_code": "1071c",
        "staff_band": "0-10",
    }
    data.update(overrides)
    return data


def test_signup_page_renders_with_the_lookup_script(client):
    response = client.get(reverse("employers:signup"))
    page = text(response)
    assert response.status_code == 200
    assert "SIRET de l'établissement" in page
    assert 'data-company-lookup-url="/employeur/entreprise"' in page
    assert "employers/employers.js" in page
    assert "<script>" not in page


def test_signup_creates_the_employer_and_the_company_and_sends_a_magic_link(
    client, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:signup"), _data(commune))
    assert response.url == reverse("accounts:link_sent")
    user = User.objects.get()
    assert (user.email, user.role, user.phone) == ("paul@boulangerie.fr", Role.EMPLOYER, "+33612345678")
    company = Company.objects.get()
    assert (company.siret, company.naf_code, company.commune) == ("83014132100034", "10.71C", commune)
    assert list(company.members.all()) == [user]
    link = MagicLink.objects.get(user=user)
    assert link.next_url == reverse("matching:employer_home")
    email = OutboxEmail.objects.get(to="paul@boulangerie.fr")
    assert "/connexion/lien/" in email.body


def test_signup_with_a_known_email_reveals_nothing(client, commune, django_capture_on_commit_callbacks):
    existing = UserFactory(email="paul@boulangerie.fr", employer=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:signup"), _data(commune))
    assert response.url == reverse("accounts:link_sent")
    assert User.objects.count() == 1
    assert not Company.objects.exists()
    assert MagicLink.objects.filter(user=existing).count() == 1  # un simple lien de connexion


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("830141321000", "Le SIRET doit compter 14 chiffres (vous en avez saisi 12)."),
        ("83014132100035", "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle)."),
    ],
)
def test_bad_siret_is_explained_and_nothing_typed_is_lost(client, commune, siret, message):
    response = client.post(reverse("employers:signup"), _data(commune, siret=siret, phone="12"))
    page = text(response)
    assert response.status_code == 200
    assert message in page
    assert "Ce numéro de téléphone français n'est pas valide" in page
    for typed in ["Paul", "Fournier", "Paul@Boulangerie.fr", "Boulangerie du Beffroi", siret]:
        assert f'value="{typed}"' in page
    assert not User.objects.exists()


def test_company_lookup_prefills_from_the_directory(client, fake_companies_api):
    CommuneFactory(code="62193", name="Calais", postal_codes=["62100"])
    response = client.get(reverse("employers:company_lookup"), {"siret": "83014132100034"})
    assert response.json() == {
        "found": True,
        "name": "BOULANGERIE DU BEFFROI",
        "commune": "Calais (62100)",
        "naf_code": "10.71C",
        "staff_band": "0-10",
    }


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("timeout", "L'annuaire des entreprises ne répond pas"),
        ("error", "L'annuaire des entreprises ne répond pas"),
        ("empty", "Ce SIRET n'existe pas dans l'annuaire des entreprises."),
    ],
)
def test_company_lookup_says_in_words_when_not_found_or_down(client, fake_companies_api, mode, message):
    fake_companies_api.mode = mode
    response = client.get(reverse("employers:company_lookup"), {"siret": "83014132100034"})
    assert response.status_code == 200
    assert response.json()["found"] is False
    assert response.json()["message"].startswith(message)


def test_company_lookup_does_not_call_the_directory_for_an_invalid_siret(client, fake_companies_api):
    assert client.get(reverse("employers:company_lookup"), {"siret": "123"}).json() == {
        "found": False,
        "message": "Ce SIRET n'est pas valide : vérifiez les 14 chiffres.",
    }
    assert fake_companies_api.requests == []


def test_add_an_establishment(client, commune):
    user = UserFactory(employer=True)
    CompanyFactory(member=user)
    client.force_login(user)
    assert "Ajouter un établissement" in text(client.get(reverse("employers:company_add")))
    response = client.post(
        reverse("employers:company_add"),
        {"siret": "73282932000074", "company_name": "Fournil du port", "commune": commune.code, "staff_band": "0-10"},
        follow=True,
    )
    assert "L'établissement Fournil du port est ajouté à votre compte." in text(response)
    assert Company.objects.for_member(user).count() == 2


def test_employer_signup_keeps_a_low_limit_per_ip(client, commune):
    from accounts.limits import EMPLOYER_SIGNUP_LIMITS_PER_IP

    limit = EMPLOYER_SIGNUP_LIMITS_PER_IP[0][0]
    for index in range(limit):
        response = client.post(reverse("employers:signup"), _data(commune, email=f"patron{index}@example.org"))
        assert response.status_code == 302
    response = client.post(reverse("employers:signup"), _data(commune, email="encore@example.org"))
    assert response.status_code == 200
    assert "Trop d'inscriptions depuis votre connexion" in text(response)
    assert 'value="encore@example.org"' in text(response)  # rien n'est perdu


# --- Compte ouvert par ProConnect, sans établissement ----------------------------------------------


def test_employer_without_company_finishes_the_sign_up_with_phone_and_company(client, commune):
    user = UserFactory(employer=True, email="dominique@boulangerie.fr", phone="")
    client.force_login(user)
    page = text(client.get(reverse("employers:signup")))
    assert "Terminer mon inscription" in page
    assert 'name="email"' not in page
    data = _data(commune)
    for name in ("first_name", "last_name", "email"):
        data.pop(name)
    response = client.post(reverse("employers:signup"), {**data, "phone": "0612"})
    assert "numéro" in text(response).lower()
    assert 'value="Boulangerie du Beffroi"' in text(response)  # la saisie est gardée
    assert not Company.objects.exists()
    response = client.post(reverse("employers:signup"), data)
    assert response.url == reverse("matching:employer_home")
    company = Company.objects.get()
    assert (company.siret, company.name) == ("83014132100034", "Boulangerie du Beffroi")
    assert list(Company.objects.for_member(user)) == [company]
    user.refresh_from_db()
    assert user.phone == "+33612345678"
    assert not MagicLink.objects.exists()  # déjà connecté·e : pas de lien à envoyer


def test_employer_with_a_company_is_sent_home_from_the_sign_up(client):
    company = CompanyFactory()
    client.force_login(company.members.get())
    assert client.get(reverse("employers:signup")).url == reverse("matching:employer_home")


def test_candidate_is_sent_home_from_the_sign_up(client):
    client.force_login(UserFactory(candidate=True))
    assert client.get(reverse("employers:signup")).url == reverse("matching:candidate_home")
