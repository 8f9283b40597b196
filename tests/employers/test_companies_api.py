import datetime

import pytest

from employers import companies_api
from employers.enums import StaffBand


def test_lookup_reads_the_matching_establishment(fake_companies_api, settings):
    settings.COMPANIES_API_URL = "https://recherche-entreprises.api.gouv.fr"
    info = companies_api.company_lookup("83014132100034")
    assert info == companies_api.CompanyInfo(
        siret="83014132100034",
        name="BOULANGERIE DU BEFFROI",
        commune_code="62193",
        naf_code="10.71C",
        staff_band=StaffBand.FROM_0_TO_10.value,
        latitude=50.95,
        longitude=1.85,
        established_on=datetime.date(2017, 6, 1),
    )
    request = fake_companies_api.requests[0]
    assert str(request.url) == "https://recherche-entreprises.api.gouv.fr/search?q=83014132100034"


def test_lookup_reads_the_head_office(fake_companies_api):
    assert companies_api.company_lookup("83014132100026").commune_code == "62765"


@pytest.mark.parametrize("mode", ["empty", "error", "timeout"])
def test_lookup_returns_none_when_unknown_or_unreachable(fake_companies_api, mode):
    fake_companies_api.mode = mode
    assert companies_api.company_lookup("83014132100034") is None


def test_a_siret_absent_from_the_results_is_none(fake_companies_api):
    assert companies_api.company_lookup("73282932000074") is None


def test_the_timeout_is_short(settings):
    assert settings.COMPANIES_API_TIMEOUT <= 5


@pytest.mark.parametrize(
    ("code", "band"),
    [
        ("NN", "0-10"),
        ("03", "0-10"),
        ("11", "11-49"),
        ("12", "11-49"),
        ("31", "50-249"),
        ("32", "250+"),
        ("53", "250+"),
    ],
)
def test_staff_bands(code, band):
    data = {"results": [{"nom_complet": "X", "siege": {"siret": "1", "commune": "", "tranche_effectif_salarie": code}}]}
    assert companies_api.parse_search_response(data, "1").staff_band == band
