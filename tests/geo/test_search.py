import pytest
from django.urls import reverse

from core.text import normalize_search
from geo.selectors import commune_search
from tests.geo.factories import CommuneFactory, DepartementFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Omer", "saint omer"),
        ("st omer", "saint omer"),
        ("ST-OMER", "saint omer"),
        ("Ste-Marie-aux-Mines", "sainte marie aux mines"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("  Dreuil-lès-Amiens ", "dreuil les amiens"),
    ],
)
def test_normalize_search(text, expected):
    assert normalize_search(text) == expected


@pytest.fixture
def communes(db):
    somme = DepartementFactory(code="80", name="Somme")
    calvados = DepartementFactory(code="14", name="Calvados")
    seine_maritime = DepartementFactory(code="76", name="Seine-Maritime")
    return {
        "saint_omer": CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], population=14661),
        "tilques": CommuneFactory(code="62817", name="Tilques", postal_codes=["62500"], population=1100),
        "saint_omer_14": CommuneFactory(
            code="14642", name="Saint-Omer", departement=calvados, postal_codes=["14220"], population=180
        ),
        # Plus peuplée que les deux Saint-Omer, mais seulement « commence par ».
        "capelle": CommuneFactory(code="62758", name="Saint-Omer-Capelle", postal_codes=["62162"], population=90000),
        "amiens": CommuneFactory(
            code="80021", name="Amiens", departement=somme, postal_codes=["80000", "80080", "80090"], population=133625
        ),
        "amiens_nord": CommuneFactory(code="80999", name="Amiens-Nord", departement=somme, population=50),
        # Plus peuplée qu'Amiens, mais seulement « contient ».
        "dreuil": CommuneFactory(
            code="80256", name="Dreuil-lès-Amiens", departement=somme, postal_codes=["80470"], population=500000
        ),
        "le_havre": CommuneFactory(
            code="76351", name="Le Havre", departement=seine_maritime, postal_codes=["76600"], population=165830
        ),
    }


def codes(communes):
    return [commune.code for commune in communes]


@pytest.mark.parametrize("q", ["st omer", "Saint-Omer", "saint omer", "SAINT-OMER", " st-omer ", "62500"])
def test_search_saint_omer_first(communes, q):
    assert commune_search(q)[0].code == "62765"


def test_search_name_groups(communes):
    # Noms exacts, puis « commence par », puis « contient » ; chaque groupe par population décroissante.
    assert codes(commune_search("saint omer")) == ["62765", "14642", "62758"]
    assert codes(commune_search("amiens")) == ["80021", "80999", "80256"]
    assert codes(commune_search("amie")) == ["80021", "80999", "80256"]
    assert codes(commune_search("omer")) == ["62758", "62765", "14642"]


def test_search_limit(communes):
    assert codes(commune_search("amiens", limit=2)) == ["80021", "80999"]
    assert commune_search("amiens", limit=0) == []


def test_search_ignores_leading_article(communes):
    assert codes(commune_search("havre")) == ["76351"]
    assert codes(commune_search("le havre")) == ["76351"]


def test_search_postal_code(communes):
    results = commune_search("62500")
    assert codes(results) == ["62765", "62817"]
    assert [commune.label for commune in results] == ["Saint-Omer (62500)", "Tilques (62500)"]
    assert codes(commune_search("62 500")) == ["62765", "62817"]


def test_search_postal_code_prefix(communes):
    assert codes(commune_search("62")) == ["62758", "62765", "62817"]
    assert codes(commune_search("625")) == ["62765", "62817"]
    # Le libellé montre le code postal cherché.
    assert [commune.label for commune in commune_search("8009")] == ["Amiens (80090)"]
    assert [commune.label for commune in commune_search("800")] == ["Amiens (80000)"]


def test_search_insee_code_when_no_postal_code(communes):
    assert codes(commune_search("62765")) == ["62765"]


@pytest.mark.parametrize("q", ["", " ", "a", "-", "é", "6", "xyzzy", "99999", None])
def test_search_nothing(communes, q):
    assert commune_search(q) == []


def test_search_results_are_ready_to_display(communes, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        results = commune_search("amiens")
        labels = [(commune.label, commune.departement.name, commune.postal_code_list) for commune in results]
    assert labels[0] == ("Amiens (80000)", "Somme", ["80000", "80080", "80090"])


# --- Vue d'autocomplétion -------------------------------------------------------------------------


def test_view_results(client, communes):
    response = client.get(reverse("geo:commune_search"), {"q": "st omer"})

    assert response.status_code == 200
    assert response.json()["results"][0] == {
        "code": "62765",
        "name": "Saint-Omer",
        "postal_codes": ["62500"],
        "departement": "62",
        "departement_name": "Pas-de-Calais",
        "label": "Saint-Omer (62500)",
    }
    assert "message" not in response.json()


def test_view_url():
    assert reverse("geo:commune_search") == "/communes/recherche"


def test_view_postal_code_label(client, communes):
    response = client.get(reverse("geo:commune_search"), {"q": "80090"})
    assert [result["label"] for result in response.json()["results"]] == ["Amiens (80090)"]


def test_view_limit(client, communes):
    url = reverse("geo:commune_search")
    assert len(client.get(url, {"q": "62", "limit": "2"}).json()["results"]) == 2
    assert len(client.get(url, {"q": "62", "limit": "abc"}).json()["results"]) == 3


def test_view_unknown(client, communes):
    response = client.get(reverse("geo:commune_search"), {"q": "xyz"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [],
        "message": "Aucune commune ne correspond à « xyz ». Vérifiez l'orthographe ou essayez le code postal.",
    }


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a"}, {"q": " - "}])
def test_view_too_short(client, db, params):
    response = client.get(reverse("geo:commune_search"), params)

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert response.json()["message"].startswith("Saisissez au moins 2 caractères")


def test_view_long_or_odd_query(client, communes):
    response = client.get(reverse("geo:commune_search"), {"q": "%_\\'\"<script>" * 50})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_view_answers_a_repeated_search_from_the_cache_until_a_commune_changes(
    client, communes, django_assert_num_queries
):
    url = reverse("geo:commune_search")
    first = client.get(url, {"q": "saint omer"}).json()
    with django_assert_num_queries(0):
        assert client.get(url, {"q": "saint omer"}).json() == first
    assert len(client.get(url, {"q": "saint omer", "limit": "1"}).json()["results"]) == 1  # une autre clé
    CommuneFactory(code="62999", name="Saint-Omer-Plage", population=10**6)
    names = [result["name"] for result in client.get(url, {"q": "saint omer"}).json()["results"]]
    assert "Saint-Omer-Plage" in names
