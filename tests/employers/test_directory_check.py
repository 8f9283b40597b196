"""L'établissement doit exister et être ouvert : l'API Recherche d'entreprises est interrogée à l'inscription
(réponses écrites à la main servies par `httpx.MockTransport`, y compris n'importe quoi et des délais dépassés)."""

import datetime
import json
from pathlib import Path

import httpx
import pytest
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from employers import companies_api
from employers.companies_api import CheckStatus
from employers.enums import VerificationReason, VerificationSource, VerificationStatus
from employers.models import Company
from tests.geo.factories import CommuneFactory
from tests.utils import text

ARTISAN = json.loads((Path(__file__).parent / "data" / "recherche_entreprises_artisan.json").read_text())
OPEN_CRAFT, CLOSED = "73282932000074", "73282932000082"
NOT_CRAFT = "83014132100034"  # recherche_entreprises_search.json : sans activité au répertoire des métiers


def _post_signup(client, data, **kwargs):
    """L'inscription met en file le travail (après le commit) : on l'exécute ici."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("employers:signup"), data, **kwargs)


def transport(*, body=None, status=200, raw=None, error=None):
    def handler(request):
        if error is not None:
            raise error(request=request, message="échec simulé")
        if raw is not None:
            return httpx.Response(status, content=raw, headers={"Content-Type": "application/json"})
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_an_open_craft_establishment_is_found_with_what_the_directory_says():
    check = companies_api.establishment_check(OPEN_CRAFT, transport=transport(body=ARTISAN))
    assert check.status == CheckStatus.FOUND and not check.refused
    info = check.info
    assert (info.craft_activity_code, info.idcc_codes, info.naf_code) == ("9602AB", ("2596",), "96.02A")
    assert info.established_on == datetime.date(2009, 3, 2)
    assert check.checked_at is not None


def test_a_closed_establishment_is_refused_in_words():
    check = companies_api.establishment_check(CLOSED, transport=transport(body=ARTISAN))
    assert check.status == CheckStatus.CLOSED
    assert check.error.startswith("Cet établissement est fermé d'après l'annuaire des entreprises")
    assert (check.info.latitude, check.info.longitude) == (50.291, 2.7775)


def test_an_unknown_siret_is_refused_in_words():
    check = companies_api.establishment_check(
        "44306184100047", transport=transport(body={"results": [], "total_results": 0})
    )
    assert check.status == CheckStatus.UNKNOWN
    assert "n'existe pas dans l'annuaire des entreprises" in check.error


@pytest.mark.parametrize(
    "kwargs",
    [
        {"raw": b"<html>Maintenance</html>"},
        {"raw": b'{"results": '},
        {"body": ["pas", "un", "objet"]},
        {"body": {"results": "rien"}},
        {"body": {"results": [42]}},
        {"body": {"erreur": "trop de requêtes"}, "status": 429},
        {"body": {}, "status": 500},
        {"error": httpx.ReadTimeout},
        {"error": httpx.ConnectTimeout},
        {"error": httpx.ConnectError},
    ],
    ids=[
        "html",
        "json-coupe",
        "liste",
        "results-texte",
        "results-nombres",
        "429",
        "500",
        "lecture",
        "connexion",
        "dns",
    ],
)
def test_garbage_or_silence_means_unavailable_never_an_error(kwargs):
    check = companies_api.establishment_check(OPEN_CRAFT, transport=transport(**kwargs))
    assert check.status == CheckStatus.UNAVAILABLE
    assert not check.refused and check.info is None


def test_garbage_fields_are_ignored():
    data = json.loads(json.dumps(ARTISAN))
    siege = data["results"][0]["siege"]
    siege.update(latitude="nord", longitude="NaN", liste_idcc="2596", date_creation="hier")
    info = companies_api.establishment_check(OPEN_CRAFT, transport=transport(body=data)).info
    assert (info.latitude, info.longitude, info.idcc_codes) == (None, None, ())
    assert info.established_on == datetime.date(2009, 3, 2)  # celle de l'unité légale


# --- À l'inscription ------------------------------------------------------------------------------


@pytest.fixture
def directory(monkeypatch):
    """L'annuaire simulé : `directory.use(**kwargs)` choisit sa réponse."""

    class Directory:
        def use(self, **kwargs):
            monkeypatch.setattr(companies_api, "default_transport", lambda: transport(**kwargs))

    return Directory()


def _data(commune, siret, **overrides):
    return {
        "first_name": "Nadia",
        "last_name": "Coiffe",
        "email": "nadia@salon.fr",
        "phone": "06 12 34 56 78",
        "siret": siret,
        "company_name": "Salon Coiff Arras",
        "commune": commune.code,
        "naf_code": "",
        "staff_band": "0-10",
        **overrides,
    }


@pytest.fixture
def commune():
    return CommuneFactory(code="62041", name="Arras", postal_codes=["62000"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siret", "body", "message"),
    [
        (CLOSED, ARTISAN, "Cet établissement est fermé d'après l'annuaire des entreprises"),
        ("44306184100047", {"results": []}, "Ce SIRET n'existe pas dans l'annuaire des entreprises."),
    ],
)
def test_signup_refuses_a_closed_or_unknown_establishment_and_keeps_what_was_typed(
    client, directory, commune, siret, body, message
):
    directory.use(body=body)
    response = _post_signup(client, _data(commune, siret))
    page = text(response)
    assert response.status_code == 200
    assert message in page
    for typed in ["Nadia", "Coiffe", "nadia@salon.fr", "Salon Coiff Arras", siret]:
        assert f'value="{typed}"' in page
    assert not User.objects.exists() and not Company.objects.exists()


@pytest.mark.django_db
def test_signup_of_an_open_craft_company_is_verified_at_once(client, directory, commune):
    directory.use(body=ARTISAN)
    _post_signup(client, _data(commune, OPEN_CRAFT))
    company = Company.objects.get()
    assert (company.verification_status, company.verification_source) == (
        VerificationStatus.VERIFIED,
        VerificationSource.DIRECTORY,
    )
    assert (company.craft_activity_code, company.idcc_codes, company.naf_code) == ("9602AB", ["2596"], "96.02A")
    assert company.established_on == datetime.date(2009, 3, 2) and company.directory_checked_at is not None


@pytest.mark.django_db
def test_signup_of_a_company_outside_the_craft_register_waits_for_an_advisor(client, directory, commune):
    directory.use(body=json.loads((Path(__file__).parent / "data" / "recherche_entreprises_search.json").read_text()))
    _post_signup(client, _data(commune, NOT_CRAFT))
    company = Company.objects.get()
    assert company.verification_status == VerificationStatus.TO_VERIFY
    assert company.verification_reasons == [VerificationReason.NOT_CRAFT]


@pytest.mark.django_db
def test_a_recent_craft_company_waits_for_an_advisor(client, directory, commune):
    recent = json.loads(json.dumps(ARTISAN))
    recent["results"][0]["siege"]["date_creation"] = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()
    directory.use(body=recent)
    _post_signup(client, _data(commune, OPEN_CRAFT))
    assert Company.objects.get().verification_reasons == [VerificationReason.RECENT]


@pytest.mark.django_db
def test_signup_still_works_when_the_directory_is_down_and_says_so(client, directory, commune):
    directory.use(error=httpx.ReadTimeout)
    response = _post_signup(client, _data(commune, OPEN_CRAFT), follow=True)
    assert "L'annuaire des entreprises ne répond pas en ce moment" in text(response)
    company = Company.objects.get()
    assert company.verification_status == VerificationStatus.TO_VERIFY
    assert company.verification_reasons == [VerificationReason.DIRECTORY_UNAVAILABLE]
    assert list(company.members.all()) == [User.objects.get()]
    client.force_login(User.objects.get())
    home = text(client.get(reverse("matching:employer_home")))
    assert "Entreprise en cours de vérification par un·e conseiller·e de la CMA" in home
    assert "annuaire des entreprises indisponible à l'inscription" in home
