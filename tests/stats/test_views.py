import csv
import io
import json
import re

import pytest
from django.urls import reverse

from stats.enums import SECRET, Indicator
from stats.services import stats_refresh
from tests.stats.factories import candidates, commune_in, match, moment, offer, trade
from tests.utils import text

pytestmark = pytest.mark.django_db


def populate(size: int):
    """`size` jeunes à Arras et autant d'offres ; 2 jeunes à Lyon (sous le seuil du secret)."""
    arras, lyon = commune_in("62"), commune_in("69", region="84")
    bakery = trade("alimentation", "boulanger")
    young = candidates(size, commune=arras, trades=[bakery], created_at=moment(2026, 1))
    candidates(2, commune=lyon, trades=[bakery], created_at=moment(2026, 2))
    for candidate in young:
        match(candidate=candidate, offer=offer(commune=arras, trade=bakery, published_at=moment(2026, 3)))
    stats_refresh()


def main(html: str) -> str:
    return html.split("<main")[1].split("</main>")[0]


def page_figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-indicateur="([a-z_]+)" data-valeur="([^"]*)"', html))


def test_page_shows_figures_charts_and_tables(client):
    populate(6)
    response = client.get(reverse("stats:index"))
    assert response.status_code == 200
    content = text(response)
    assert page_figures(content)[Indicator.CANDIDATES] == "8"
    assert page_figures(content)[Indicator.MATCHES] == "6"
    assert "Chiffres calculés le" in content
    assert content.count('role="img"') == 8  # 6 séries mensuelles, les familles et la carte
    assert '<title id="graphique-candidats_inscrits-titre">Candidat·es inscrit·es par mois, France entière' in content
    assert "<caption>Chiffres par région depuis le début</caption>" in content
    assert f'<td data-valeur="{SECRET}">secret</td>' in content  # Auvergne-Rhône-Alpes : 2 jeunes
    assert "secret statistique" in content
    for name in ("stats:open_data_csv", "stats:open_data_json", "stats:schema"):
        assert f'href="{reverse(name)}' in content
    assert "<script" not in content.split("<main")[1].split("</main>")[0]


def test_page_filters_by_get_parameters(client):
    populate(6)
    response = client.get(reverse("stats:index"), {"region": "84"})
    content = text(response)
    assert "Périmètre : <strong>Région 84, toutes familles de métiers</strong>" in content
    assert page_figures(content)[Indicator.CANDIDATES] == SECRET
    assert "<caption>Chiffres par département depuis le début</caption>" in content
    assert '<option value="84" selected>' in content


def test_page_ignores_an_invalid_filter(client):
    populate(5)
    response = client.get(reverse("stats:index"), {"region": "zz", "famille": "nope"})
    assert response.status_code == 200
    assert page_figures(text(response))[Indicator.CANDIDATES] == "7"
    assert "France entière" in text(response)


@pytest.mark.parametrize("size", [5, 30])
def test_page_query_count_is_small_and_constant(client, django_assert_max_num_queries, size):
    populate(size)
    with django_assert_max_num_queries(25):  # dont le parcours et la carte (stats/funnel.py), en nombre fixe
        response = client.get(reverse("stats:index"))
    assert response.status_code == 200


@pytest.mark.parametrize("params", [{}, {"region": "32"}, {"departement": "62", "famille": "alimentation"}])
def test_page_reads_its_figures_from_the_cache_until_the_next_refresh(client, django_assert_num_queries, params):
    populate(6)
    first = text(client.get(reverse("stats:index"), params))
    with django_assert_num_queries(1):  # la version des agrégats (le dernier calcul) ; le reste vient du cache
        again = client.get(reverse("stats:index"), params)
    assert main(text(again)) == main(first)  # hors de <main>, le nonce CSP change à chaque page
    for name in ("stats:open_data_csv", "stats:open_data_json"):
        client.get(reverse(name), params)
        with django_assert_num_queries(1):
            assert client.get(reverse(name), params).status_code == 200


def test_figures_and_form_are_rendered_once_per_scope_and_refresh(client, monkeypatch):
    populate(6)
    first = text(client.get(reverse("stats:index"), {"region": "32"}))

    def not_again(*args, **kwargs):
        raise AssertionError("rendu une seconde fois")

    with monkeypatch.context() as patched:
        patched.setattr("stats.views.render_to_string", not_again)
        assert main(text(client.get(reverse("stats:index"), {"region": "32"}))) == main(first)
    invalid = text(client.get(reverse("stats:index"), {"departement": "62", "region": "84"}))
    assert "Ce département n'est pas dans la région choisie." in invalid  # erreurs : formulaire rendu à part


@pytest.mark.parametrize("params", [{}, {"departement": "62", "famille": "alimentation"}])
def test_a_page_already_made_is_read_whole_without_its_report(client, monkeypatch, params):
    """Une page déjà faite pour ce périmètre et ce calcul : son corps relu en une lecture du cache, sans relire le
    rapport (des centaines d'agrégats à désérialiser à chaque visite) ni refaire le formulaire."""
    populate(6)
    first = text(client.get(reverse("stats:index"), params))

    def not_again(*args, **kwargs):
        raise AssertionError("refait à la visite")

    monkeypatch.setattr("stats.views.cached_stats_report", not_again)
    monkeypatch.setattr("stats.views.ScopeForm", not_again)
    assert main(text(client.get(reverse("stats:index"), params))) == main(first)


def test_a_refresh_replaces_the_cached_figures(client):
    populate(6)
    assert page_figures(text(client.get(reverse("stats:index"))))[Indicator.CANDIDATES] == "8"
    candidates(3, commune=commune_in("62"), trades=[trade("alimentation", "boulanger")], created_at=moment(2026, 4))
    assert page_figures(text(client.get(reverse("stats:index"))))[Indicator.CANDIDATES] == "8"  # pas encore recalculé
    stats_refresh()
    assert page_figures(text(client.get(reverse("stats:index"))))[Indicator.CANDIDATES] == "11"
    rows = rows_from_csv(client.get(reverse("stats:open_data_csv")))
    assert {row["indicateur"]: row["valeur"] for row in rows if row["section"] == "total"}[Indicator.CANDIDATES] == "11"


def test_page_reads_only_aggregates(client, django_assert_num_queries, settings):
    populate(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("stats:index"), {"region": "32", "famille": "alimentation"})
    tables = set(re.findall(r'FROM "([a-z_]+)"', " ".join(query["sql"] for query in queries.captured_queries)))
    assert tables <= {
        "stats_aggregate",
        "stats_maskedcell",
        "stats_refresh",
        "geo_region",
        "geo_departement",
        "django_session",
    }


def rows_from_csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("params", [{}, {"region": "32"}, {"departement": "62", "famille": "alimentation"}])
def test_open_data_agrees_with_the_page(client, params):
    populate(6)
    page = text(client.get(reverse("stats:index"), params))
    csv_rows = rows_from_csv(client.get(reverse("stats:open_data_csv"), params))
    document = json.loads(client.get(reverse("stats:open_data_json"), params).content)
    assert document["lignes"] == csv_rows
    totals = {row["indicateur"]: row["valeur"] for row in csv_rows if row["section"] == "total"}
    assert totals == page_figures(page)
    # Chaque valeur des ventilations et des séries figure aussi dans les tableaux de la page.
    page_cells = re.findall(r'<td data-valeur="([^"]*)">', page)
    for row in csv_rows:
        if row["section"] in {"zone", "famille"}:
            label = row["zone_nom"] if row["section"] == "zone" else row["famille_nom"]
            assert f'<th scope="row">{label}</th>' in page
    breakdown_rows = [row for row in csv_rows if row["section"] in {"zone", "famille"}]
    monthly_rows = [
        row
        for row in csv_rows
        if row["section"] == "mois"
        and row["indicateur"]
        in {
            "candidats_inscrits",
            "employeurs_inscrits",
            "offres_publiees",
            "paires_proposees",
            "contacts",
            "contrats_signes",
        }
    ]
    assert len(page_cells) == len(breakdown_rows) + len(monthly_rows)
    assert sorted(page_cells) == sorted(row["valeur"] for row in breakdown_rows + monthly_rows)


def test_open_data_secrecy_and_schema(client):
    populate(6)
    csv_rows = rows_from_csv(client.get(reverse("stats:open_data_csv")))
    lyon = [r for r in csv_rows if r["zone_code"] == "84" and r["indicateur"] == Indicator.CANDIDATES]
    assert lyon[0]["valeur"] == SECRET
    values = {row["valeur"] for row in csv_rows}
    assert not values & {"1", "2", "3", "4"}
    schema = json.loads(client.get(reverse("stats:schema")).content)
    assert [field["name"] for field in schema["fields"]] == list(csv_rows[0])
    pattern = re.compile(next(f for f in schema["fields"] if f["name"] == "valeur")["constraints"]["pattern"])
    assert all(pattern.fullmatch(value) for value in values if value)
    document = json.loads(client.get(reverse("stats:open_data_json")).content)
    assert {item["code"] for item in document["indicateurs"]} == {indicator.value for indicator in Indicator}
    assert document["calcule_le"]


def test_refresh_task_prepares_the_national_page_for_its_first_visitor(client, django_assert_num_queries, monkeypatch):
    from stats.tasks import refresh_stats

    populate(6)
    refresh_stats.call()

    def not_again(*args, **kwargs):
        raise AssertionError("rendu à la visite")

    monkeypatch.setattr("stats.views.render_to_string", not_again)
    with django_assert_num_queries(1):  # la version des agrégats ; chiffres, graphiques et formulaire déjà prêts
        first = text(client.get(reverse("stats:index")))
    assert page_figures(first)[Indicator.CANDIDATES] == "8"
