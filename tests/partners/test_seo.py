"""Ce que lisent les moteurs de recherche : JobPosting, adresses canoniques, plan du site, robots.txt, 410."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offers import services
from offers.selectors import offers_version_bump
from partners import seo
from tests.geo.factories import CommuneFactory
from tests.offers.factories import CompanyFactory, OfferFactory

pytestmark = pytest.mark.django_db

# Les propriétés du type JobPosting de schema.org que la page utilise (https://schema.org/JobPosting) : une
# propriété hors de cette liste serait ignorée par les moteurs.
JOB_POSTING_PROPERTIES = {
    "@context", "@type", "title", "description", "identifier", "datePosted", "hiringOrganization", "jobLocation",
    "employmentType", "occupationalCategory", "totalJobOpenings", "url", "directApply", "validThrough",
    "jobStartDate", "educationRequirements", "baseSalary",
}  # fmt: skip
EMPLOYMENT_TYPES = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}


def _json_ld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def assert_valid_job_posting(posting: dict):
    """Les champs exigés pour une offre d'emploi (Google Search Central « JobPosting ») et leurs types."""
    assert posting["@context"] == "https://schema.org/"
    assert posting["@type"] == "JobPosting"
    for name in seo.REQUIRED_FIELDS:
        assert posting.get(name), f"champ exigé manquant : {name}"
    assert set(posting) <= JOB_POSTING_PROPERTIES, set(posting) - JOB_POSTING_PROPERTIES
    datetime.datetime.fromisoformat(posting["datePosted"])
    assert posting["hiringOrganization"]["@type"] == "Organization" and posting["hiringOrganization"]["name"]
    address = posting["jobLocation"]["address"]
    assert posting["jobLocation"]["@type"] == "Place" and address["@type"] == "PostalAddress"
    assert address["addressLocality"] and address["postalCode"] and address["addressCountry"] == "FR"
    assert posting["employmentType"] in EMPLOYMENT_TYPES
    if "validThrough" in posting:
        datetime.datetime.fromisoformat(posting["validThrough"])
    if "baseSalary" in posting:
        salary = posting["baseSalary"]
        assert salary["@type"] == "MonetaryAmount" and salary["currency"] == "EUR"
        assert salary["value"]["@type"] == "QuantitativeValue" and salary["value"]["unitText"] == "MONTH"


@pytest.fixture
def offer():
    commune = CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"])
    return OfferFactory(
        company=CompanyFactory(commune=commune, name="Boulangerie <Dupont> & fils</script><script>"),
        commune=commune,
        start_date=datetime.date(2026, 9, 1),
        levels=["3"],
        description="Pain au levain, appelez Jeanne au 0699887766",
    )


def test_offer_page_carries_valid_job_posting(client, offer):
    response = client.get(reverse("partners:offer_detail", kwargs={"pk": offer.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "</script><script>" not in html  # un nom d'entreprise ne ferme pas la balise
    assert "0699887766" not in html  # le texte libre de l'employeur n'est pas publié
    posting = _json_ld(html)
    assert_valid_job_posting(posting)
    assert posting["title"] == "Boulanger / Boulangère en apprentissage"
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Boulangerie <Dupont> & fils</script><script>",
        "identifier": offer.company.siret,
    }
    assert posting["jobLocation"]["address"]["postalCode"] == "62500"
    assert posting["jobStartDate"] == "2026-09-01"
    assert posting["occupationalCategory"] == "D1102"
    assert posting["description"] == (
        "Boulangerie <Dupont> & fils</script><script> cherche 1 apprenti·e en Boulanger / Boulangère à Saint-Omer, "
        "à partir du 01/09/2026. Contrat d'apprentissage. Diplôme préparé : CAP."
    )


def test_salary_floor_comes_from_the_legal_pay_grid(offer):
    """27 % du SMIC la 1re année avant 18 ans (D6222-26), SMIC de septembre 2026 : 1 823,03 €."""
    posting = seo.job_posting(offer, today=datetime.date(2026, 6, 1))
    assert posting["baseSalary"]["value"]["minValue"] == float(Decimal("492.22"))
    offer.accepts_minors = False  # 18-20 ans : 43 %
    assert seo.job_posting(offer, today=datetime.date(2026, 6, 1))["baseSalary"]["value"]["minValue"] == 783.90
    offer.contract_types = ["professionnalisation"]  # autre grille : pas de montant
    assert "baseSalary" not in seo.job_posting(offer, today=datetime.date(2026, 6, 1))


def test_offer_page_has_a_canonical_url_without_the_search(client, offer, settings):
    settings.SITE_URL = "https://cestmachance.fr"
    response = client.get(f"/offres/{offer.pk}?commune=62765&rayon=30")
    assert f'<link rel="canonical" href="https://cestmachance.fr/offres/{offer.pk}">' in response.content.decode()
    # La recherche suit jusqu'à l'inscription.
    assert response.context["signup_url"] == "/candidat/inscription?commune=62765&rayon=30&metier=boulanger"


@pytest.mark.parametrize("trait", ["expired", "filled", "archived"])
def test_offer_no_longer_online_answers_410_and_leaves_the_sitemap(client, trait):
    gone = OfferFactory(**{trait: True})
    online = OfferFactory()
    response = client.get(reverse("partners:offer_detail", kwargs={"pk": gone.pk}))
    assert response.status_code == 410
    assert "Cette offre n'est plus disponible" in response.content.decode().replace("&#x27;", "'")
    sitemap = client.get("/sitemap.xml")
    assert sitemap["Content-Type"].startswith("application/xml")
    body = sitemap.content.decode()
    assert f"/offres/{online.pk}</loc>" in body
    assert f"/offres/{gone.pk}</loc>" not in body


def test_never_published_offer_is_404(client):
    draft = OfferFactory(draft=True)
    assert client.get(reverse("partners:offer_detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get("/offres/999999").status_code == 404


def test_sitemap_lists_home_search_and_offers_with_lastmod(client, settings):
    settings.SITE_URL = "https://cestmachance.fr"
    offer = OfferFactory()
    body = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://cestmachance.fr/</loc>" in body
    assert "<loc>https://cestmachance.fr/offres</loc>" in body
    assert f"<loc>https://cestmachance.fr/offres/{offer.pk}</loc><lastmod>" in body
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_sitemap_query_count_does_not_grow_with_offers(client, django_assert_max_num_queries):
    for _ in range(20):
        OfferFactory()
    with django_assert_max_num_queries(3):
        client.get("/sitemap.xml")


def test_sitemap_is_read_from_the_cache_until_an_offer_changes(client, django_capture_on_commit_callbacks):
    offer = OfferFactory()
    draft = OfferFactory(draft=True)
    first = client.get("/sitemap.xml")
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/sitemap.xml")
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    assert again.content == first.content and again["Content-Type"] == "application/xml; charset=utf-8"
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_publish(offer=draft)
        services.offer_archive(offer=offer)
    body = client.get("/sitemap.xml").content.decode()
    assert f"/offres/{draft.pk}</loc>" in body and f"/offres/{offer.pk}</loc>" not in body


def test_while_one_process_rebuilds_the_sitemap_the_others_serve_the_previous_one(client):
    offer = OfferFactory()
    first = client.get("/sitemap.xml")
    newer = OfferFactory()
    offers_version_bump()
    cache.add("plan-du-site:calcul", 1)  # un autre processus est en train de le recalculer
    with CaptureQueriesContext(connection) as captured:
        meanwhile = client.get("/sitemap.xml")
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    assert meanwhile.content == first.content
    cache.delete("plan-du-site:calcul")
    body = client.get("/sitemap.xml").content.decode()
    assert f"/offres/{offer.pk}</loc>" in body and f"/offres/{newer.pk}</loc>" in body


def test_robots_txt_points_to_the_sitemap_and_hides_private_spaces(client, settings):
    settings.SITE_URL = "https://cestmachance.fr"
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://cestmachance.fr/sitemap.xml" in lines
    for private in ("/candidat/", "/employeur/", "/conseiller/", "/api/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /offres" not in lines


def test_search_page_is_canonical_and_results_are_not_indexed(client):
    page = client.get("/offres").content.decode()
    assert '<link rel="canonical" href="http://testserver/offres">' in page or 'rel="canonical"' in page
    assert "noindex" not in page
    results = client.get("/offres?commune=Nulle-Part").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in results


def test_published_offer_datePosted_is_the_publication(offer):
    offer.published_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    assert seo.job_posting(offer)["datePosted"] == "2026-03-02T10:00:00+01:00"


def test_offer_page_is_read_from_the_cache_until_the_offer_changes(client, offer, django_capture_on_commit_callbacks):
    url = reverse("partners:offer_detail", kwargs={"pk": offer.pk})
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, {"commune": "62765", "rayon": "30"})
    assert not [query["sql"] for query in captured if "offers_offer" in query["sql"]]
    assert _json_ld(again.content.decode()) == _json_ld(first.content.decode())
    # La recherche d'où vient la personne reste la sienne, et le nonce de la page aussi.
    assert again.context["signup_url"] == "/candidat/inscription?commune=62765&rayon=30&metier=boulanger"
    assert again.context["back_url"] == "/offres?commune=62765&rayon=30"
    assert again.context["csp_nonce"] != first.context["csp_nonce"]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_update(offer=offer, positions=4)
    assert "<dd>4</dd>" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_archive(offer=offer)
    assert client.get(url).status_code == 410
