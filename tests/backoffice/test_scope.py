import datetime

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from backoffice import scope
from backoffice.urls import urlpatterns
from matching.enums import MatchState
from tests.backoffice.factories import AdvisorFactory, MatchFactory, advisor_login
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory, RegionFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def territories():
    hdf = RegionFactory(code="32")
    nord = DepartementFactory(code="59", region=hdf)
    pdc = DepartementFactory(code="62", region=hdf)
    rhone = DepartementFactory(code="69", region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"))
    return {"nord": nord, "pdc": pdc, "rhone": rhone}


def _objects_in(departement, name):
    commune = CommuneFactory(departement=departement)
    candidate = CandidateProfileFactory(commune=commune, user__last_name=f"Secret{name}")
    company = CompanyFactory(commune=commune, name=f"Atelier{name}")
    offer = OfferFactory(company=company)
    match = MatchFactory(candidate=candidate, offer=offer)
    membership = MembershipFactory(company=company, pending=True)
    return {"candidate": candidate, "company": company, "offer": offer, "match": match, "membership": membership}


def test_scoped_querysets_follow_departements_and_regions(territories):
    nord = _objects_in(territories["nord"], "Nord")
    rhone = _objects_in(territories["rhone"], "Rhone")
    by_departement = AdvisorFactory(departements=["59"])
    by_region = AdvisorFactory(departements=[], regions=["84"])
    national = AdvisorFactory(admin=True)

    assert list(scope.candidates_for(by_departement)) == [nord["candidate"]]
    assert list(scope.offers_for(by_departement)) == [nord["offer"]]
    assert list(scope.companies_for(by_departement)) == [nord["company"]]
    assert list(scope.matches_for(by_departement)) == [nord["match"]]
    assert list(scope.candidates_for(by_region)) == [rhone["candidate"]]
    assert list(scope.matches_for(by_region)) == [rhone["match"]]
    assert set(scope.candidates_for(national)) == {nord["candidate"], rhone["candidate"]}
    assert list(scope.candidates_for(AdvisorFactory(departements=[]))) == []


def test_covers_follows_departements_and_regions(territories):
    lille = CommuneFactory(departement=territories["nord"])
    lyon = CommuneFactory(departement=territories["rhone"])
    assert scope.covers(AdvisorFactory(departements=["59"]), lille)
    assert not scope.covers(AdvisorFactory(departements=["59"]), lyon)
    assert scope.covers(AdvisorFactory(departements=[], regions=["84"]), lyon)
    assert scope.covers(AdvisorFactory(admin=True), lyon)


def test_a_pair_across_a_border_is_seen_from_both_sides(territories):
    candidate = CandidateProfileFactory(commune=CommuneFactory(departement=territories["nord"]))
    offer = OfferFactory(company=CompanyFactory(commune=CommuneFactory(departement=territories["pdc"])))
    match = MatchFactory(candidate=candidate, offer=offer)
    assert list(scope.matches_for(AdvisorFactory(departements=["59"]))) == [match]
    assert list(scope.matches_for(AdvisorFactory(departements=["62"]))) == [match]
    assert list(scope.candidates_for(AdvisorFactory(departements=["62"]))) == []


def _kwargs_for(pattern, objects, other_advisor):
    names = set(pattern.pattern.converters)
    if not names:
        return {}
    if "slug" in names:
        return {"slug": "candidats-sans-mise-en-relation"}
    name = pattern.name
    if name.startswith("candidate"):
        return {"pk": objects["candidate"].pk}
    if name.startswith("offer"):
        return {"pk": objects["offer"].pk}
    if name.startswith("match"):
        return {"pk": objects["match"].pk}
    if name in ("admin_territories", "admin_unlock"):
        return {"pk": other_advisor.pk}
    if name.startswith("company"):
        extra = {"membership_id": objects["membership"].pk, "offer_id": objects["offer"].pk}
        return {"pk": objects["company"].pk, **{key: value for key, value in extra.items() if key in names}}
    raise AssertionError(f"URL {name} : paramètre inconnu, complétez ce test")


def test_every_back_office_url_is_closed_to_an_advisor_of_another_territory(client, territories):
    """Chaque URL et chaque action du back-office, en GET et en POST, par un·e conseiller·e du Rhône sur
    les données du Nord : 403 ou 404 pour un objet, et rien du Nord dans les pages de liste."""
    objects = _objects_in(territories["nord"], "Nord")
    advisor_nord = AdvisorFactory(departements=["59"])
    intruder = AdvisorFactory(departements=["69"])
    advisor_login(client, intruder)

    patterns = [p for p in urlpatterns if isinstance(p, URLPattern)]
    assert len(patterns) >= 20
    for pattern in patterns:
        kwargs = _kwargs_for(pattern, objects, advisor_nord)
        url = reverse(f"backoffice:{pattern.name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            if pattern.name.startswith("admin_"):
                assert response.status_code == 403, (method, url, response.status_code)
            elif "pk" in kwargs:
                assert response.status_code in (403, 404, 405), (method, url, response.status_code)
                if response.status_code == 405:  # action en POST seulement : le POST est vérifié juste après
                    assert method == "get"
            else:
                assert response.status_code in (200, 302, 405), (method, url, response.status_code)
            assert "SecretNord" not in body and "AtelierNord" not in body, (method, url)
        # L'export CSV non plus.
        if pattern.name == "board_list":
            for slug in ("candidats-sans-mise-en-relation", "offres-sans-candidat", "contacts-en-cours"):
                csv = client.get(reverse("backoffice:board_list", kwargs={"slug": slug}) + "?format=csv")
                assert "SecretNord" not in csv.content.decode() and "AtelierNord" not in csv.content.decode()


def test_the_same_urls_open_for_the_advisor_of_the_territory(client, territories):
    objects = _objects_in(territories["nord"], "Nord")
    advisor_login(client, AdvisorFactory(departements=["59"]))
    for name, key in [("candidate", "candidate"), ("offer", "offer"), ("match", "match"), ("offer_edit", "offer")]:
        assert client.get(reverse(f"backoffice:{name}", kwargs={"pk": objects[key].pk})).status_code == 200


def test_candidates_outside_the_territory_are_shown_only_by_a_pseudonym(client, territories):
    """Une offre du Pas-de-Calais et des jeunes du Nord : la conseillère du Pas-de-Calais voit ses paires mais
    ni le nom ni la commune des jeunes du Nord (page de l'offre, page de la paire, listes et leurs exports
    CSV) ; elle voit le nom et la commune d'un·e jeune de son territoire."""
    arras = CommuneFactory(departement=territories["pdc"], name="Arras")
    offer = OfferFactory(company=CompanyFactory(commune=arras), commune=arras)
    roubaix = CommuneFactory(departement=territories["nord"], name="Roubaix")
    month_start = timezone.localtime().replace(day=1, hour=1)
    outsiders = [
        MatchFactory(
            offer=offer,
            candidate=CandidateProfileFactory(commune=roubaix, user__first_name="Zoé", user__last_name=f"Secret{n}"),
            **fields,
        )
        for n, fields in enumerate(
            [
                {"state": MatchState.PROPOSED, "created_at": timezone.now() - datetime.timedelta(days=10)},
                {"state": MatchState.CONNECTED},
                {"state": MatchState.CONTRACT_SIGNED, "outcome_at": month_start},
            ]
        )
    ]
    insider = MatchFactory(
        offer=offer,
        state=MatchState.CONNECTED,
        candidate=CandidateProfileFactory(commune=arras, user__first_name="Léa", user__last_name="Visible"),
    )
    advisor_login(client, AdvisorFactory(departements=["62"]))

    def assert_hidden(body, where):
        for match in outsiders:
            assert f"Secret{outsiders.index(match)}" not in body, where
        assert "Roubaix" not in body, where

    page = text(client.get(reverse("backoffice:offer", kwargs={"pk": offer.pk})))
    assert_hidden(page, "offre")
    for match in outsiders:
        assert f"Candidat·e n° {match.candidate.pk} (département 59)" in page
    assert "Léa Visible (Arras)" in page
    assert "Léa Visible</a> (Arras)" in text(client.get(reverse("backoffice:match", kwargs={"pk": insider.pk})))

    for match in outsiders:
        page = text(client.get(reverse("backoffice:match", kwargs={"pk": match.pk})))
        assert_hidden(page, "paire")
        assert f"Candidat·e n° {match.candidate.pk} (département 59)" in page

    for slug, match in zip(["en-attente", "contacts-en-cours", "contrats-du-mois"], outsiders, strict=True):
        url = reverse("backoffice:board_list", kwargs={"slug": slug})
        page = text(client.get(url))
        csv = client.get(url, {"format": "csv"}).content.decode()
        for body in (page, csv):
            assert_hidden(body, slug)
            assert f"Candidat·e n° {match.candidate.pk}" in body, slug
        if slug == "contacts-en-cours":
            assert "Léa Visible" in page and "Léa Visible" in csv
