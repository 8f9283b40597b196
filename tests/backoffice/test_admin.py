import pytest

from accounts.enums import Role
from backoffice.models import AdvisorProfile, AuditLog, Cma
from notifications.models import OutboxEmail
from tests.backoffice.factories import AdvisorFactory, CmaFactory, advisor_login
from tests.geo.factories import DepartementFactory, RegionFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return advisor_login(client, AdvisorFactory(admin=True))


def test_an_advisor_cannot_reach_the_admin_pages(advisor_client):
    for url in ("/conseiller/admin/cma", "/conseiller/admin/conseillers", "/conseiller/admin/journal"):
        assert advisor_client.get(url).status_code == 403


def test_admin_creates_a_cma(admin_client):
    region = RegionFactory(code="32")
    response = admin_client.post("/conseiller/admin/cma", {"name": "CMA Hauts-de-France", "region": region.pk})
    assert response.url == "/conseiller/admin/cma"
    assert Cma.objects.get().region == region
    again = admin_client.post("/conseiller/admin/cma", {"name": "cma hauts-de-france", "region": region.pk})
    assert "Une CMA porte déjà ce nom." in text(again)


def test_admin_creates_an_advisor_and_sets_territories(admin_client):
    cma = CmaFactory()
    response = admin_client.post(
        "/conseiller/admin/conseillers",
        {"first_name": "Camille", "last_name": "Roux", "email": "camille@cma-hdf.fr", "cma": cma.pk},
    )
    advisor = AdvisorProfile.objects.get(user__email="camille@cma-hdf.fr")
    assert advisor.user.role == Role.ADVISOR and not advisor.totp_confirmed
    assert response.url == f"/conseiller/admin/conseillers/{advisor.pk}/territoires"
    assert OutboxEmail.objects.filter(to="camille@cma-hdf.fr", key__startswith="magic-link:").exists()

    nord, somme = DepartementFactory(code="59"), DepartementFactory(code="80")
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    admin_client.post(
        f"/conseiller/admin/conseillers/{advisor.pk}/territoires",
        {"departements": [nord.pk, somme.pk], "regions": [region.pk]},
    )
    assert set(advisor.departements.values_list("code", flat=True)) == {"59", "80"}
    assert list(advisor.regions.all()) == [region]
    entry = AuditLog.objects.get(action="territoires_modifies")
    assert entry.details == {"regions": ["84"], "departements": ["59", "80"]}
    assert "Camille" in text(admin_client.get("/conseiller/admin/conseillers"))


def test_journal_is_filterable(admin_client, advisor):
    AuditLog.objects.create(
        actor=advisor.user, action="candidat_consulte", object_type="candidateprofile", object_id="7"
    )
    AuditLog.objects.create(actor=advisor.user, action="offre_creee", object_type="offer", object_id="8")
    page = admin_client.get("/conseiller/admin/journal")
    assert len(page.context["page"].object_list) == 2
    filtered = admin_client.get("/conseiller/admin/journal?action=candidat_consulte")
    assert [e.object_id for e in filtered.context["page"].object_list] == ["7"]
    by_object = admin_client.get("/conseiller/admin/journal?object_type=offer&object_id=8")
    assert [e.action for e in by_object.context["page"].object_list] == ["offre_creee"]
    assert "Fiche candidat·e consultée" in text(filtered)


def test_the_national_admin_sees_every_territory(admin_client):
    from tests.candidates.factories import CandidateProfileFactory
    from tests.geo.factories import CommuneFactory

    candidate = CandidateProfileFactory(commune=CommuneFactory(departement=DepartementFactory(code="13")))
    assert admin_client.get(f"/conseiller/candidats/{candidate.pk}").status_code == 200
