"""Les champs d'une offre sont définis une fois (`offers.fields`) : le formulaire de l'employeur, celui des
conseiller·es, l'import CSV et l'API publique nomment les mêmes champs, avec les mêmes choix et les mêmes limites."""

import pytest

from backoffice import importers
from backoffice.forms import OfferForm as AdvisorOfferForm
from core.enums import ContractType, DiplomaLevel
from offers.api import OfferOut
from offers.fields import (
    ADVISOR_FIELD_NAMES,
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_TOO_LONG,
    FIELD_NAMES,
    OFFER_FIELDS,
    POSITIONS_MAX,
    POSITIONS_MIN,
    WORKING_HOURS_MAX_LENGTH,
)
from offers.forms import OfferForm
from offers.models import Offer
from offers.selectors import offer_payload
from tests.accounts.factories import UserFactory
from tests.candidates.factories import TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory, _siret

pytestmark = pytest.mark.django_db

COMPANY_FORM_FIELDS = {"company", "start_asap"}  # l'établissement et « dès que possible » : pas des champs d'offre
ADVISOR_COMPANY_FIELDS = {"siret", "company_name"}


@pytest.fixture
def member():
    user = UserFactory(employer=True)
    CompanyFactory(member=user)
    CompanyFactory(member=user)  # deux établissements : le choix est affiché
    return user


def _csv(**values) -> bytes:
    row = {"siret": _siret(1), "raison_sociale": "Fournil", "commune": "62041", "metier": "boulanger", **values}
    header = [name for name, _required, _help in importers.COLUMNS]
    return (";".join(header) + "\n" + ";".join(row.get(name, "") for name in header) + "\n").encode()


@pytest.fixture
def catalogue():
    TradeFactory()
    CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras")


def test_the_four_name_the_same_fields(member):
    assert set(FIELD_NAMES) <= {field.name for field in Offer._meta.get_fields()}
    assert set(OfferForm(user=member).fields) - COMPANY_FORM_FIELDS == set(FIELD_NAMES)
    assert set(AdvisorOfferForm().fields) - ADVISOR_COMPANY_FIELDS == set(ADVISOR_FIELD_NAMES)
    assert set(AdvisorOfferForm(editing=True).fields) == set(ADVISOR_FIELD_NAMES)
    offer_columns = [name for name, _required, _help in importers.COLUMNS if name not in importers.COMPANY_COLUMNS]
    assert offer_columns == [field.column for field in OFFER_FIELDS if field.by_advisor]
    assert set(importers.EXAMPLE.splitlines()[0].split(";")) == {name for name, _r, _h in importers.COLUMNS}
    published = {field.api for field in OFFER_FIELDS if field.api}
    assert published <= set(OfferOut.model_fields)
    assert set(offer_payload(OfferFactory())) == set(OfferOut.model_fields)


def test_the_forms_give_the_fields_they_name(member):
    form = OfferForm(user=member)
    offer = OfferFactory(company=form.fields["company"].queryset.first())
    edit = OfferForm({**_employer_data(offer)}, user=member, offer=offer)
    assert edit.is_valid(), edit.errors
    assert set(edit.offer_fields()) == set(FIELD_NAMES)
    advisor = AdvisorOfferForm(
        {"commune": offer.commune.code, "trade": offer.trade_id, "contract_types": ["apprentissage"], "positions": 1},
        editing=True,
    )
    assert advisor.is_valid(), advisor.errors
    assert set(advisor.offer_fields()) == set(ADVISOR_FIELD_NAMES)


def _employer_data(offer):
    return {
        "trade": str(offer.trade_id),
        "contract_types": ["apprentissage"],
        "start_asap": "on",
        "positions": "1",
        "commune": offer.commune.code,
        "description": "Texte",
    }


def test_the_two_forms_have_the_same_choices_and_limits(member):
    for form in (OfferForm(user=member), AdvisorOfferForm()):
        fields = form.fields
        assert list(fields["levels"].choices) == list(DiplomaLevel.choices)
        assert list(fields["contract_types"].choices) == list(ContractType.choices)
        assert (fields["positions"].min_value, fields["positions"].max_value) == (POSITIONS_MIN, POSITIONS_MAX)
        assert fields["description"].max_length == DESCRIPTION_MAX_LENGTH
        assert fields["description"].error_messages["max_length"] == DESCRIPTION_TOO_LONG
    assert OfferForm(user=member).fields["working_hours"].max_length == WORKING_HOURS_MAX_LENGTH
    assert Offer._meta.get_field("working_hours").max_length == WORKING_HOURS_MAX_LENGTH


def test_the_import_accepts_what_the_forms_accept_and_nothing_more(catalogue):
    every_level = "|".join(DiplomaLevel.values)
    every_contract = "|".join(ContractType.values)
    rows, errors = importers.parse_offers_csv(
        _csv(niveaux=every_level, types_contrat=every_contract, postes=str(POSITIONS_MAX),
             description="x" * DESCRIPTION_MAX_LENGTH)
    )  # fmt: skip
    assert errors == [] and rows[0].positions == POSITIONS_MAX
    assert rows[0].levels == DiplomaLevel.values and rows[0].contract_types == ContractType.values

    for postes in (str(POSITIONS_MIN - 1), str(POSITIONS_MAX + 1)):
        assert importers.parse_offers_csv(_csv(postes=postes))[1] == [
            f"Ligne 2 : le nombre de postes « {postes} » doit être un nombre de {POSITIONS_MIN} à {POSITIONS_MAX}."
        ]
    assert importers.parse_offers_csv(_csv(description="x" * (DESCRIPTION_MAX_LENGTH + 1)))[1] == [
        "Ligne 2 : la description dépasse 3 000 caractères : raccourcissez-la."
    ]


def test_a_description_too_long_is_refused_by_both_forms_with_the_same_message(member):
    too_long = "x" * (DESCRIPTION_MAX_LENGTH + 1)
    offer = OfferFactory(company=OfferForm(user=member).fields["company"].queryset.first())
    employer = OfferForm({**_employer_data(offer), "description": too_long}, user=member, offer=offer)
    advisor = AdvisorOfferForm(
        {"commune": offer.commune.code, "trade": offer.trade_id, "contract_types": ["apprentissage"], "positions": 1,
         "description": too_long},
        editing=True,
    )  # fmt: skip
    assert employer.errors["description"] == advisor.errors["description"] == [DESCRIPTION_TOO_LONG]
