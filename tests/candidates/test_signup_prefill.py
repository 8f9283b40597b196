"""L'inscription reprend la recherche faite sans compte : commune, rayon, métier, niveau."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from candidates import services
from candidates.forms import search_prefill
from candidates.models import CandidateProfile
from tests.accounts.factories import UserFactory
from tests.geo.factories import CommuneFactory
from tests.offers.factories import TradeFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Léa",
    "last_name": "Martin",
    "birth_date": "2008-05-14",
    "email": "lea@example.fr",
}


@pytest.fixture
def saint_omer():
    return CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])


def test_prefill_keeps_known_values_and_rounds_the_radius(saint_omer):
    TradeFactory()
    assert search_prefill({"commune": "62765", "rayon": "25", "metier": "boulanger", "niveau": "3"}) == {
        "commune": "62765",
        "radius_km": 30,
        "trade_codes": ["boulanger"],
        "level": "3",
    }
    assert search_prefill({"commune": "99999", "rayon": "-3", "metier": "astronaute", "niveau": "9"}) == {}
    assert search_prefill({"rayon": "200"}) == {"radius_km": 100}


def test_signup_page_keeps_the_search_in_hidden_fields(client, saint_omer):
    TradeFactory()
    response = client.get(reverse("candidates:signup"), {"commune": "62765", "rayon": "30", "metier": "boulanger"})
    html = response.content.decode()
    assert "Ta recherche est gardée : Boulanger / Boulangère, à 30 km de Saint-Omer." in html.replace("&#x27;", "'")
    assert '<input type="hidden" name="commune" value="62765">' in html
    assert '<input type="hidden" name="metier" value="boulanger">' in html


def test_signup_with_a_search_fills_the_where_and_what_screen(client, saint_omer, django_capture_on_commit_callbacks):
    """Avant : le profil créé à l'inscription ignorait la recherche ; l'écran 2 était vide."""
    bakery = TradeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("candidates:signup"),
            {**SIGNUP, "commune": "62765", "rayon": "30", "metier": "boulanger", "niveau": "3"},
        )
    assert response.status_code == 302
    profile = User.objects.get(email="lea@example.fr").candidate_profile
    assert (profile.commune_id, profile.radius_km, profile.level) == ("62765", 30, "3")
    assert list(profile.trades.all()) == [bakery]
    assert profile.is_complete is False
    client.force_login(profile.user)
    step2 = client.get(reverse("candidates:onboarding", kwargs={"step": 2}))
    form = step2.context["form"]
    assert form["commune"].value() == "Saint-Omer (62500)"
    assert form["radius_km"].value() == 30
    assert [getattr(trade, "pk", trade) for trade in form["trades"].value()] == [bakery.pk]
    assert form["level"].value() == "3"


def test_known_address_changes_nothing(saint_omer):
    existing = UserFactory(email="lea@example.fr", candidate=True)
    services.candidate_signup(
        email="lea@example.fr",
        first_name="X",
        last_name="Y",
        birth_date=datetime.date(2008, 5, 14),
        search={"commune": "62765", "radius_km": 30},
    )
    assert not CandidateProfile.objects.filter(user=existing).exists()


def test_logged_in_candidate_without_profile_gets_the_search_too(client, saint_omer):
    TradeFactory()
    user = UserFactory(candidate=True)
    client.force_login(user)
    response = client.post(
        reverse("candidates:signup") + "?commune=62765",
        {"first_name": "Léa", "last_name": "Martin", "birth_date": "2008-05-14", "commune": "62765", "rayon": "10"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.candidate_profile.commune_id, user.candidate_profile.radius_km) == ("62765", 10)
