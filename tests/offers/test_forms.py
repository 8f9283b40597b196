import datetime

import pytest
from django.utils import timezone

from employers.models import Company
from offers.forms import OfferForm, trade_choices
from tests.accounts.factories import UserFactory
from tests.offers.factories import CompanyFactory, TradeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user = UserFactory(employer=True)
    CompanyFactory(member=user)
    return user


def _data(member, **overrides):
    company = Company.objects.for_member(member).get()
    data = {
        "trade": str(TradeFactory().pk),
        "contract_types": ["apprentissage"],
        "start_asap": "on",
        "positions": "2",
        "commune": company.commune.code,
        "description": "Texte",
    }
    data.update(overrides)
    return data


def test_trade_choices_are_grouped_by_family_in_catalogue_order():
    TradeFactory(code="plombier", family="batiment")
    TradeFactory()
    TradeFactory(code="retired", family="batiment", is_active=False)
    choices = trade_choices()
    assert choices[0] == ("", "Choisissez un métier")
    assert [group for group, _ in choices[1:]] == ["Alimentation", "Bâtiment"]
    assert [label for _, label in choices[2][1]] == ["Plombier"]


def test_valid_form_gives_the_offer_fields(member):
    form = OfferForm(_data(member, levels=["4", "3"]), user=member)
    assert form.is_valid(), form.errors
    fields = form.offer_fields()
    assert fields["levels"] == ["3", "4"]
    assert fields["start_date"] is None
    assert fields["positions"] == 2
    assert form.get_company() == Company.objects.for_member(member).get()


def test_no_level_means_any_level(member):
    form = OfferForm(_data(member), user=member)
    assert form.is_valid()
    assert form.offer_fields()["levels"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"trade": ""}, "trade", "Choisissez le métier de l'offre."),
        ({"trade": "999999"}, "trade", "Choisissez un métier de la liste."),
        ({"positions": "0"}, "positions", "Il faut au moins un poste."),
        ({"positions": ""}, "positions", "Indiquez le nombre de postes (au moins 1)."),
        ({"contract_types": []}, "contract_types", "Cochez au moins un type de contrat."),
        (
            {"start_asap": "", "start_date": ""},
            "start_asap",
            "Choisissez : « Dès que possible » ou « À partir d'une date précise ».",
        ),
        (
            {"start_asap": "date", "start_date": ""},
            "start_date",
            "Indiquez la date de début, ou choisissez « Dès que possible ».",
        ),
        ({"description": ""}, "description", "Décrivez l'offre en quelques phrases."),
    ],
)
def test_bad_input_is_refused_in_words(member, overrides, field, message):
    form = OfferForm(_data(member, **overrides), user=member)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_start_date_boundaries(member):
    today = timezone.localdate()
    yesterday = OfferForm(_data(member, start_asap="", start_date=today - datetime.timedelta(days=1)), user=member)
    assert yesterday.errors["start_date"] == ["La date de début ne peut pas être dans le passé."]
    assert OfferForm(_data(member, start_asap="", start_date=today), user=member).is_valid()


def test_inactive_trade_is_refused(member):
    retired = TradeFactory(code="retired", is_active=False)
    form = OfferForm(_data(member, trade=str(retired.pk)), user=member)
    assert not form.is_valid()
    assert "trade" in form.errors
