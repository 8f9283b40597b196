import json
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from geo import importers
from geo.distance import commune_index
from geo.importers import (
    GeoImportError,
    fetch_api_data,
    geo_data_from_api,
    import_geo_from_api,
    import_geo_from_csv,
    read_csv_snapshot,
)
from geo.models import Commune, Departement, PostalCode, Region

API_SAMPLE = json.loads((Path(__file__).parent / "data" / "geo_api_sample.json").read_text(encoding="utf-8"))

COMMUNES_HEADER = (
    "insee_com,insee_reg,insee_dep,commune,commune_article,code_postal,commune_type,insee_parente,"
    "lat,lng,superficie_km2,population_2021"
)
COMMUNES_ROWS = [
    "62765,32,62,Saint-Omer,Saint-Omer,62500,COM,,50.76728,2.2648,16.4,14661",
    "80021,32,80,Amiens,Amiens,80000,COM,,49.89871,2.28468,49.5,133625",
    "80021,32,80,Amiens,Amiens,80080,COM,,49.89871,2.28468,49.5,133625",
    "76351,28,76,Havre,Le Havre,76600,COM,,49.4938,0.1077,46.9,165830",
    "13055,93,13,Marseille,Marseille,13001,COM,,43.2965,5.3698,240.6,873076",
    "13201,93,13,Marseille 1er Arrondissement,Marseille 1er Arrondissement,13001,ARM,13055,43.30018,5.38276,1.8,39436",
    "13202,93,13,Marseille 2e Arrondissement,Marseille 2e Arrondissement,13002,ARM,13055,43.31,5.36,3.6,25779",
    # Commune déléguée : son code postal revient à sa commune parente.
    "62888,,,Ancienne-Paroisse,Ancienne-Paroisse,62501,COMD,62765,50.7,2.2,5.0,300",
    # Arrondissement dont la commune parente n'est pas dans le fichier : écarté.
    "69381,84,69,Lyon 1er Arrondissement,Lyon 1er Arrondissement,69001,ARM,69123,45.7701,4.82637,1.5,29016",
    # Sans coordonnées : importée quand même, non localisée.
    "62999,32,62,Marais-Perdu,Le Marais-Perdu,62370,COM,,,,10.0,120",
]
POSTAL_CODES = [
    "code_postal,insee_com,commune,libelle_acheminement",
    "62500,62765,Saint-Omer,SAINT OMER",
    "80090,80021,Amiens,AMIENS",
    "13002,13202,Marseille 2e Arrondissement,MARSEILLE",
    "13003,13203,Marseille 3e Arrondissement,MARSEILLE",
    "69001,69381,Lyon 1er Arrondissement,LYON",
    "27700,27676,Les Trois Lacs,LES TROIS LACS",
]


def write_snapshot(directory: Path, communes_rows=COMMUNES_ROWS, postal_codes=POSTAL_CODES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "regions.csv": ["insee_reg,region", "28,Normandie", "32,Hauts-de-France", "93,Provence-Alpes-Côte d'Azur"],
        "departements.csv": [
            "insee_dep,insee_reg,departement",
            "13,93,Bouches-du-Rhône",
            "62,32,Pas-de-Calais",
            "76,28,Seine-Maritime",
            "80,32,Somme",
        ],
        "communes.csv": [COMMUNES_HEADER, *communes_rows],
        "postal_codes.csv": postal_codes,
    }
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.fixture
def snapshot_dir(tmp_path):
    return write_snapshot(tmp_path / "geo")


def postal_pairs():
    return set(PostalCode.objects.values_list("code", "commune"))


def db_counts():
    return (Region.objects.count(), Departement.objects.count(), Commune.objects.count(), PostalCode.objects.count())


# --- CSV ------------------------------------------------------------------------------------------


def test_read_csv_snapshot(snapshot_dir):
    data = read_csv_snapshot(snapshot_dir)

    assert set(data.communes) == {"62765", "80021", "76351", "13055", "62999"}
    assert data.communes["76351"].name == "Le Havre"  # le nom avec son article
    assert data.communes["62999"].lat is None and data.communes["62999"].lng is None
    assert data.communes["80021"].population == 133625
    assert data.postal_codes == {
        ("62500", "62765"),
        ("62501", "62765"),
        ("80000", "80021"),
        ("80080", "80021"),
        ("80090", "80021"),
        ("76600", "76351"),
        ("13001", "13055"),
        ("13002", "13055"),
        ("62370", "62999"),
    }
    # 69381 (dans communes.csv et postal_codes.csv) n'a pas sa commune parente ; 13203 et 27676 sont inconnus.
    assert data.skipped == {
        "code postal d'une commune inconnue": 2,
        "code postal d'un arrondissement ou d'une commune déléguée dont la commune parente manque : 69123": 2,
    }


@pytest.mark.django_db
def test_import_csv(snapshot_dir):
    lines = []
    report = import_geo_from_csv(snapshot_dir, progress=lines.append)

    assert db_counts() == (3, 4, 5, 9)
    saint_omer = Commune.objects.get(code="62765")
    assert (saint_omer.name, saint_omer.search_name, saint_omer.departement_id) == ("Saint-Omer", "saint omer", "62")
    assert (saint_omer.lat, saint_omer.lng, saint_omer.population) == (50.76728, 2.2648, 14661)
    assert Departement.objects.get(code="62").region_id == "32"
    assert not Commune.objects.get(code="62999").is_located
    assert report.communes.created == 5
    assert "Communes : 5, dont 4 localisées (5 ajouts, 0 mises à jour, 0 sans changement, 0 suppressions)" in lines


@pytest.mark.django_db
def test_import_csv_is_idempotent(snapshot_dir):
    import_geo_from_csv(snapshot_dir, progress=lambda line: None)
    counts, pairs, pks = db_counts(), postal_pairs(), set(PostalCode.objects.values_list("pk", flat=True))

    report = import_geo_from_csv(snapshot_dir, progress=lambda line: None)

    assert db_counts() == counts
    assert postal_pairs() == pairs
    assert set(PostalCode.objects.values_list("pk", flat=True)) == pks  # rien n'a été recréé
    assert (report.communes.created, report.communes.updated, report.communes.unchanged) == (0, 0, 5)
    assert (report.postal_codes.created, report.postal_codes.deleted) == (0, 0)


@pytest.mark.django_db
def test_import_csv_updates_and_removes(snapshot_dir, tmp_path):
    import_geo_from_csv(snapshot_dir, progress=lambda line: None)
    rows = [row.replace(",14661", ",15000") for row in COMMUNES_ROWS if not row.startswith(("76351", "62888"))]
    changed = write_snapshot(tmp_path / "changed", communes_rows=rows)

    report = import_geo_from_csv(changed, progress=lambda line: None)

    assert Commune.objects.get(code="62765").population == 15000
    assert not Commune.objects.filter(code="76351").exists()
    assert ("62501", "62765") not in postal_pairs()
    assert (report.communes.updated, report.communes.deleted) == (1, 1)
    assert (report.postal_codes.created, report.postal_codes.deleted) == (0, 2)


@pytest.mark.django_db
def test_import_keeps_referenced_communes(snapshot_dir, tmp_path):
    factories = pytest.importorskip("tests.offers.factories")
    import_geo_from_csv(snapshot_dir, progress=lambda line: None)
    factories.CompanyFactory(commune=Commune.objects.get(code="76351"))
    rows = [row for row in COMMUNES_ROWS if not row.startswith("76351")]

    report = import_geo_from_csv(write_snapshot(tmp_path / "changed", communes_rows=rows), progress=lambda line: None)

    assert Commune.objects.filter(code="76351").exists()
    assert (report.communes.deleted, report.communes.kept) == (0, 1)


@pytest.mark.django_db
def test_import_csv_missing_file_or_column(tmp_path):
    with pytest.raises(GeoImportError, match="Fichier introuvable"):
        import_geo_from_csv(tmp_path, progress=lambda line: None)
    directory = write_snapshot(tmp_path / "geo")
    (directory / "regions.csv").write_text("code,nom\n32,Hauts-de-France\n", encoding="utf-8")
    with pytest.raises(GeoImportError, match="Colonnes manquantes dans regions.csv : insee_reg, region"):
        import_geo_from_csv(directory, progress=lambda line: None)
    assert db_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_import_invalidates_commune_index(snapshot_dir):
    assert len(commune_index()) == 0
    import_geo_from_csv(snapshot_dir, progress=lambda line: None)
    assert len(commune_index()) == 4


@pytest.mark.django_db
def test_import_geo_command_csv(snapshot_dir, capsys):
    call_command("import_geo", "--dir", str(snapshot_dir))

    out = capsys.readouterr().out
    assert "Régions : 3 (3 ajouts" in out
    assert "Codes postaux : 9 (9 ajouts" in out
    assert "Import terminé en" in out
    assert Commune.objects.count() == 5


# --- API geo.api.gouv.fr --------------------------------------------------------------------------


def test_geo_data_from_api():
    data = geo_data_from_api(API_SAMPLE["regions"], API_SAMPLE["departements"], API_SAMPLE["communes"])

    assert data.regions == {"32": "Hauts-de-France", "11": "Île-de-France", "94": "Corse"}
    assert data.departements["2A"] == ("Corse-du-Sud", "94")
    assert set(data.communes) == {"62765", "80021", "80256", "75056", "2A004", "62998"}
    amiens = data.communes["80021"]
    # GeoJSON : [longitude, latitude].
    assert (amiens.name, amiens.departement, amiens.lat, amiens.lng, amiens.population) == (
        "Amiens",
        "80",
        49.89871,
        2.28468,
        133625,
    )
    no_centre = data.communes["62998"]
    assert (no_centre.lat, no_centre.lng, no_centre.population) == (None, None, 0)
    assert {code for code, commune in data.postal_codes if commune == "80021"} == {"80000", "80080", "80090"}
    assert len(data.postal_codes) == 14
    assert data.skipped == {"commune d'un département inconnu": 1}  # 60694, département 60 absent


def api_transport(calls=None, status_code=200):
    """Faux geo.api.gouv.fr qui sert l'échantillon de tests/geo/data."""
    payloads = {"/regions": API_SAMPLE["regions"], "/departements": API_SAMPLE["departements"]}
    payloads["/communes"] = API_SAMPLE["communes"]

    def handler(request):
        if calls is not None:
            calls.append(request)
        if status_code != 200:
            return httpx.Response(status_code, json={"message": "Erreur"})
        return httpx.Response(200, json=payloads[request.url.path])

    return httpx.MockTransport(handler)


def test_fetch_api_data():
    calls = []
    with httpx.Client(transport=api_transport(calls)) as client:
        data = fetch_api_data(base_url="https://geo.test/", client=client)

    assert [str(request.url.copy_with(query=None)) for request in calls] == [
        "https://geo.test/regions",
        "https://geo.test/departements",
        "https://geo.test/communes",
    ]
    communes_params = calls[2].url.params
    assert communes_params["format"] == "json"
    assert set(communes_params["fields"].split(",")) == {
        "code",
        "nom",
        "codesPostaux",
        "centre",
        "codeDepartement",
        "codeRegion",
        "population",
    }
    assert len(data.communes) == 6


def test_fetch_api_data_error():
    with httpx.Client(transport=api_transport(status_code=503)) as client, pytest.raises(GeoImportError, match="503"):
        fetch_api_data(base_url="https://geo.test", client=client)


@pytest.mark.django_db
def test_import_api_is_idempotent(settings):
    settings.GEO_API_URL = "https://geo.test"
    with httpx.Client(transport=api_transport()) as client:
        first = import_geo_from_api(client=client, progress=lambda line: None)
        counts, pairs = db_counts(), postal_pairs()
        second = import_geo_from_api(client=client, progress=lambda line: None)

    assert counts == (3, 4, 6, 14)
    assert db_counts() == counts
    assert postal_pairs() == pairs
    assert first.communes.created == 6
    assert (second.communes.created, second.communes.unchanged, second.postal_codes.created) == (0, 6, 0)
    paris = Commune.objects.get(code="75056")
    assert (paris.name, paris.search_name, paris.lat, paris.lng) == ("Paris", "paris", 48.8589, 2.347)


@pytest.mark.django_db
def test_import_geo_command_api(settings, monkeypatch, capsys):
    settings.GEO_API_URL = "https://geo.test"
    real_client = httpx.Client
    monkeypatch.setattr(importers.httpx, "Client", lambda **kwargs: real_client(transport=api_transport()))

    call_command("import_geo", "--source", "api")

    assert "Communes : 6, dont 5 localisées (6 ajouts" in capsys.readouterr().out
    assert Commune.objects.count() == 6


def test_read_csv_snapshot_rebuilds_a_city_known_only_by_its_districts(tmp_path):
    """Paris, Marseille et Lyon n'ont que leurs arrondissements dans l'instantané."""
    rows = [
        "69381,84,69,Lyon 1er Arrondissement,Lyon 1er Arrondissement,69001,ARM,69123,45.0,4.0,1.5,30000",
        "69382,84,69,Lyon 2e Arrondissement,Lyon 2e Arrondissement,69002,ARM,69123,46.0,5.0,1.8,10000",
    ]
    directory = write_snapshot(tmp_path / "lyon", communes_rows=rows, postal_codes=POSTAL_CODES[:1])
    departements = (directory / "departements.csv").read_text(encoding="utf-8") + "69,84,Rhône\n"
    (directory / "departements.csv").write_text(departements, encoding="utf-8")
    (directory / "regions.csv").write_text(
        (directory / "regions.csv").read_text(encoding="utf-8") + "84,Auvergne-Rhône-Alpes\n", encoding="utf-8"
    )

    data = read_csv_snapshot(directory)

    lyon = data.communes["69123"]
    assert (lyon.name, lyon.departement, lyon.population) == ("Lyon", "69", 40000)
    assert (lyon.lat, lyon.lng) == (45.25, 4.25)  # centre pondéré par la population
    assert data.postal_codes == {("69001", "69123"), ("69002", "69123")}


def test_a_commune_without_coordinates_takes_the_centre_of_its_postal_code():
    data = importers.GeoData(
        communes={
            "85165": importers.CommuneRow("85165", "L'Oie", "85", None, None, 900),
            "85001": importers.CommuneRow("85001", "Voisine A", "85", 46.70, -1.10, 1000),
            "85002": importers.CommuneRow("85002", "Voisine B", "85", 46.80, -1.00, 1000),
            "60694": importers.CommuneRow("60694", "Isolée", "60", None, None, 500),
        },
        postal_codes={("85140", "85165"), ("85140", "85001"), ("85140", "85002"), ("60390", "60694")},
    )
    assert importers.locate_by_postal_code(data) == 1
    oie = data.communes["85165"]
    assert (oie.lat, oie.lng) == (pytest.approx(46.75), pytest.approx(-1.05))
    assert data.communes["60694"].lat is None  # aucune voisine localisée : reste sans coordonnées
