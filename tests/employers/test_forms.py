import pytest

from employers.forms import CompanyAddForm, EmployerSignupForm
from tests.geo.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def _data(**overrides):
    commune = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])
    data = {
        "first_name": "Paul",
        "last_name": "Fournier",
        "email": " Paul@Example.ORG ",
        "phone": "0612345678",
        "siret": "73282932000074",
        "company_name": "Fournil",
        "commune": "Saint-Omer (62500)",
        "naf_code": "",
        "staff_band": "0-10",
    }
    data.update(overrides)
    return data, commune


def test_signup_form_cleans_every_field():
    data, commune = _data(naf_code="10 71 c".replace(" ", ""))
    form = EmployerSignupForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "paul@example.org"
    assert form.cleaned_data["phone"] == "+33612345678"
    assert form.cleaned_data["commune"] == commune
    assert form.cleaned_data["naf_code"] == "10.71C"


def test_signup_form_errors_are_precise_and_french():
    data, _ = _data(siret="1234", phone="abc", commune="", naf_code="ABC", first_name="")
    form = EmployerSignupForm(data)
    assert not form.is_valid()
    assert form.errors["siret"] == ["Le SIRET doit compter 14 chiffres (vous en avez saisi 4)."]
    assert form.errors["phone"] == ["Ce numéro de téléphone français n'est pas valide. Exemple : 06 12 34 56 78."]
    assert "10.71C" in form.errors["naf_code"][0]
    assert set(form.errors) == {"siret", "phone", "commune", "naf_code", "first_name"}


def test_company_add_form_has_only_company_fields():
    assert list(CompanyAddForm().fields) == ["siret", "company_name", "commune", "naf_code", "staff_band"]
