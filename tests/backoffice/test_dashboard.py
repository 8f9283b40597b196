import csv
import datetime
import io

import pytest
from django.utils import timezone

from backoffice.models import AuditLog
from matching.enums import MatchState
from tests.backoffice.factories import MatchFactory
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def arras():
    return CommuneFactory(departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


def _csv_rows(response):
    content = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_dashboard_counts_each_list(advisor_client, arras):
    CandidateProfileFactory(commune=arras)
    old = MatchFactory(candidate=CandidateProfileFactory(commune=arras))
    old.__class__.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    MatchFactory(candidate=CandidateProfileFactory(commune=arras), state=MatchState.CONNECTED)
    MatchFactory(
        candidate=CandidateProfileFactory(commune=arras), state=MatchState.CONTRACT_SIGNED, outcome_at=timezone.now()
    )
    response = advisor_client.get("/conseiller/")
    assert response.status_code == 200
    page = text(response)
    assert "Territoire : Pas-de-Calais (62)" in page
    counts = {item["board"].slug: item["count"] for item in response.context["boards"]}
    assert counts == {
        "nouveaux-candidats": 4,
        "candidats-sans-mise-en-relation": 1,
        "offres-sans-candidat": 0,
        "offres-qui-expirent": 0,
        "e-mails-refuses": 0,
        "en-attente": 1,
        "contacts-en-cours": 1,
        "contrats-en-panne": 0,
        "contrats-du-mois": 1,
    }


def test_the_advisor_sees_where_each_connected_pair_stands_and_which_stall(advisor_client, arras):
    from matching import services
    from matching.enums import KitStep, Side

    now = timezone.now()
    stalled = MatchFactory(
        candidate=CandidateProfileFactory(commune=arras, user__last_name="Enpanne"),
        state=MatchState.CONNECTED,
        connected_at=now - datetime.timedelta(days=11),
    )
    moving = MatchFactory(
        candidate=CandidateProfileFactory(commune=arras, user__last_name="Avance"),
        state=MatchState.CONNECTED,
        connected_at=now - datetime.timedelta(days=11),
    )
    services.match_step_set(match=moving, step=KitStep.CFA, side=Side.CANDIDATE, by_user=moving.candidate.user)

    page = text(advisor_client.get("/conseiller/listes/contrats-en-panne"))
    assert "Enpanne" in page and "Avance" not in page
    page = text(advisor_client.get("/conseiller/listes/contacts-en-cours"))
    assert "Étapes cochées" in page and "Enpanne" in page and "Avance" in page
    rows = {
        row["cells"][0]["value"]: row["cells"][5]["value"]
        for row in advisor_client.get("/conseiller/listes/contacts-en-cours").context["rows"]
    }
    assert sorted(rows.values()) == [0, 1]

    page = text(advisor_client.get(f"/conseiller/mises-en-relation/{moving.pk}"))
    assert "1 étape cochée sur" in page
    assert f"{KitStep.CFA.label} : fait le {timezone.localdate():%d/%m/%Y}" in page
    assert f"{KitStep.CONTRACT_FORM.label} : à faire" in page
    assert stalled.pk != moving.pk


def test_candidates_without_match_explain_why(advisor_client, arras):
    far = CommuneFactory(departement=arras.departement, lat=43.3, lng=5.4)
    coiffeur = TradeFactory(code="coiffeur", family="beaute_soins")
    no_offer = CandidateProfileFactory(commune=arras, trades=[coiffeur], user__last_name="Sansoffre")
    too_far = CandidateProfileFactory(commune=arras, user__last_name="Troploin")
    OfferFactory(company=CompanyFactory(commune=far))
    level = CandidateProfileFactory(commune=far, level="5", user__last_name="Niveau")
    response = advisor_client.get("/conseiller/listes/candidats-sans-mise-en-relation")
    page = text(response)
    assert response.status_code == 200
    assert "Sansoffre" in page and "Aucune offre publiée dans ses métiers." in page
    assert "Troploin" in page and "Aucune offre de ses métiers à moins de 30 km (la plus proche à" in page
    assert "Niveau" in page and "Les offres proches ne prennent pas son niveau (BTS)." in page
    listed = {row["cells"][0]["pk"] for row in response.context["rows"]}
    assert listed == {no_offer.pk, too_far.pk, level.pk}


def test_offers_without_candidate_explain_why(advisor_client, arras):
    OfferFactory(company=CompanyFactory(commune=arras, name="Fournil Sanspersonne"))
    response = advisor_client.get("/conseiller/listes/offres-sans-candidat")
    assert "Fournil Sanspersonne" in text(response)
    assert "Personne ne cherche ce métier pour l'instant." in text(response)


def test_filters_sort_and_pagination(advisor_client, arras):
    coiffeur = TradeFactory(code="coiffeur", family="beaute_soins")
    for i in range(30):
        CandidateProfileFactory(commune=arras, user__last_name=f"Nom{i:02d}")
    CandidateProfileFactory(commune=arras, trades=[coiffeur], user__last_name="Coiffure")
    url = "/conseiller/listes/candidats-sans-mise-en-relation"
    page = advisor_client.get(url + "?tri=nom")
    names = [row["cells"][0]["value"] for row in page.context["rows"]]
    assert len(names) == 25 and names[0].endswith("Coiffure") and names[1].endswith("Nom00")
    assert page.context["page"].paginator.num_pages == 2
    second = advisor_client.get(url + "?tri=-nom&page=2")
    assert [row["cells"][0]["value"] for row in second.context["rows"]][-1].endswith("Coiffure")
    family = advisor_client.get(url + "?famille=beaute_soins")
    assert [row["cells"][0]["value"] for row in family.context["rows"]] == [
        CandidateProfileFactory._meta.model.objects.get(user__last_name="Coiffure").user.get_full_name()
    ]
    other = advisor_client.get(url + "?departement=59")  # hors du territoire : choix refusé, liste entière
    assert other.context["filters"].errors and other.context["page"].paginator.count == 31
    assert advisor_client.get(url + "?departement=62").context["page"].paginator.count == 31


def test_csv_export_is_audited(advisor_client, advisor, arras):
    CandidateProfileFactory(commune=arras, user__first_name="Léa", user__last_name="=Martin")
    response = advisor_client.get("/conseiller/listes/candidats-sans-mise-en-relation?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][0] == "Candidat·e"
    assert rows[1][0] == "Léa =Martin"
    entry = AuditLog.objects.get(action="liste_exportee")
    assert entry.actor == advisor.user and entry.details["rows"] == 1
    assert "Martin" not in str(entry.details)


def test_csv_neutralises_formulas(advisor_client, arras):
    CandidateProfileFactory(commune=arras, user__first_name="", user__last_name="=HYPERLINK(1)")
    rows = _csv_rows(advisor_client.get("/conseiller/listes/candidats-sans-mise-en-relation?format=csv"))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("slug", ["candidats-sans-mise-en-relation", "offres-sans-candidat", "en-attente"])
def test_list_queries_are_bounded(advisor_client, arras, slug, django_assert_max_num_queries):
    coiffeur = TradeFactory(code="coiffeur", family="beaute_soins")
    for i in range(60):
        CandidateProfileFactory(commune=arras, trades=[coiffeur] if i % 2 else None)
        OfferFactory(company=CompanyFactory(commune=arras), trade=coiffeur if i % 3 else TradeFactory())
    for _ in range(30):
        match = MatchFactory(candidate=CandidateProfileFactory(commune=arras), offer=OfferFactory())
        match.__class__.objects.filter(pk=match.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    with django_assert_max_num_queries(15):
        assert advisor_client.get(f"/conseiller/listes/{slug}").status_code == 200
    with django_assert_max_num_queries(15):
        assert advisor_client.get(f"/conseiller/listes/{slug}?format=csv").status_code == 200


def test_dashboard_queries_are_bounded(advisor_client, arras, django_assert_max_num_queries):
    for _ in range(20):
        MatchFactory(candidate=CandidateProfileFactory(commune=arras))
    with django_assert_max_num_queries(16):  # une requête par liste, quel que soit le nombre de lignes
        assert advisor_client.get("/conseiller/").status_code == 200


def test_unknown_list_is_404(advisor_client):
    assert advisor_client.get("/conseiller/listes/inconnue").status_code == 404


def test_reasons_cover_dates_and_offer_side(advisor_client, arras):
    late = CandidateProfileFactory(
        commune=arras, available_from=timezone.localdate() + datetime.timedelta(days=200), user__last_name="Tardif"
    )
    OfferFactory(
        company=CompanyFactory(commune=arras, name="Fournil Pressé"),
        start_date=timezone.localdate() + datetime.timedelta(days=20),
    )
    candidates = advisor_client.get("/conseiller/listes/candidats-sans-mise-en-relation")
    assert "Les offres proches commencent trop tôt pour sa date de disponibilité." in text(candidates)
    offers = advisor_client.get("/conseiller/listes/offres-sans-candidat")
    assert "Les candidat·es proches ne sont disponibles que plus tard." in text(offers)
    assert late.pk in {row["cells"][0]["pk"] for row in candidates.context["rows"]}


def test_work_lists_that_reflect_the_job(advisor_client, arras):
    week_ago = timezone.now() - datetime.timedelta(days=10)
    new = CandidateProfileFactory(commune=arras, user__last_name="Nouvelle")
    MatchFactory(candidate=new)
    MatchFactory(candidate=new)
    CandidateProfileFactory(commune=arras, user__last_name="Ancienne", created_at=week_ago)
    waiting = MatchFactory(candidate=CandidateProfileFactory(commune=arras), state=MatchState.CANDIDATE_INTERESTED)
    stalled = MatchFactory(candidate=CandidateProfileFactory(commune=arras), state=MatchState.CONNECTED)
    two_weeks_ago = timezone.now() - datetime.timedelta(days=15)
    waiting.__class__.objects.filter(pk__in=[waiting.pk, stalled.pk]).update(
        created_at=two_weeks_ago, updated_at=two_weeks_ago, connected_at=two_weeks_ago
    )
    expiring = OfferFactory(
        company=CompanyFactory(commune=arras, name="Fournil pressé"),
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    OfferFactory(company=CompanyFactory(commune=arras, name="Fournil tranquille"))  # expire dans 60 jours

    home = text(advisor_client.get("/conseiller/"))
    for title in (
        "Nouveaux profils de la semaine",
        "En relation, sans étape depuis 10 jours",
        "Offres qui expirent sans candidat·e",
    ):
        assert title in home

    rows = _csv_rows(advisor_client.get("/conseiller/listes/nouveaux-candidats?format=csv"))
    assert rows[0][-1] == "Premières mises en relation"
    assert [row[-1] for row in rows[1:] if "Nouvelle" in row[0]] == ["2"]
    assert not any("Ancienne" in row[0] for row in rows)

    rows = _csv_rows(advisor_client.get("/conseiller/listes/en-attente?format=csv"))
    assert rows[0][-1] == "En attente de" and rows[1][-1] == "l'employeur"

    page = text(advisor_client.get("/conseiller/listes/contrats-en-panne"))
    assert f'href="/conseiller/mises-en-relation/{stalled.pk}"' in page

    page = text(advisor_client.get("/conseiller/listes/offres-qui-expirent"))
    assert f'href="/conseiller/offres/{expiring.pk}"' in page and "Fournil tranquille" not in page
