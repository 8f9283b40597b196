import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.importers import parse_offers_csv, siret_is_valid
from backoffice.models import AuditLog
from employers.models import Company
from geo.models import Commune
from offers.enums import OfferStatus
from offers.models import Offer
from tests.candidates.factories import TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, _siret
from tests.utils import text

pytestmark = pytest.mark.django_db

HEADER = "siret;raison_sociale;commune;metier;niveaux;types_contrat;date_debut;postes;description\n"


@pytest.fixture
def setup():
    TradeFactory()
    CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras")
    CommuneFactory(code="59350", departement=DepartementFactory(code="59"), name="Lille")


def _upload(client, content: str | bytes, name="offres.csv"):
    raw = content.encode() if isinstance(content, str) else content
    return client.post("/conseiller/import", {"file": SimpleUploadedFile(name, raw, content_type="text/csv")})


def test_siret_checksum():
    assert siret_is_valid("73282932000074")
    assert not siret_is_valid("73282932000075")
    assert siret_is_valid(_siret(12))


def test_errors_are_listed_line_by_line_in_french(setup):
    content = (
        HEADER
        + f"{_siret(1)};Fournil A;62041;boulanger;3;apprentissage;01/09/2027;1;\n"
        + "123;Fournil B;62041;boulanger;;;;;\n"
        + f"{_siret(2)};;Nullepart;plombier;9;cdi;2027-09-01;zéro;\n"
        + f"{_siret(3)};Fournil Lille;59350;boulanger;;;;;\n"
    )
    rows, errors = parse_offers_csv(content.encode(), allowed_departements={"62"})
    assert errors == [
        "Ligne 3 : le SIRET 123 doit compter 14 chiffres.",
        "Ligne 4 : la raison sociale est obligatoire.",
        "Ligne 4 : la commune « Nullepart » est inconnue ou ambiguë.",
        "Ligne 4 : le métier « plombier » n'est pas au catalogue.",
        "Ligne 4 : niveau(x) inconnu(s) : 9 (attendu : 3 à 7).",
        "Ligne 4 : type(s) de contrat inconnu(s) : cdi.",
        "Ligne 4 : la date de début « 2027-09-01 » doit s'écrire JJ/MM/AAAA.",
        "Ligne 4 : le nombre de postes « zéro » doit être un nombre de 1 à 50.",
        "Ligne 5 : la commune Lille (59350) est hors de votre territoire.",
    ]
    assert [row.line for row in rows] == [2]


def test_comma_separator_and_bom_are_accepted(setup):
    content = "\ufeffsiret,raison_sociale,commune,metier\n" + f"{_siret(1)},Fournil A,62041,Boulanger\n"
    rows, errors = parse_offers_csv(content.encode())
    assert errors == []
    assert rows[0].siret == _siret(1) and rows[0].contract_types == ["apprentissage"]


def test_missing_column_and_bad_encoding(setup):
    assert parse_offers_csv(b"siret;commune\n1;2\n")[1] == [
        "Ligne 1 : colonne(s) manquante(s) : raison_sociale, metier."
    ]
    assert "UTF-8" in parse_offers_csv("siret;raison_sociale\né".encode("latin-1"))[1][0]


def test_one_bad_line_imports_nothing_then_a_good_file_is_imported(advisor_client, advisor, setup):
    bad = HEADER + f"{_siret(1)};Fournil A;62041;boulanger;;;;;\n" + "123;Fournil B;62041;boulanger;;;;;\n"
    response = _upload(advisor_client, bad)
    assert "Ligne 3 : le SIRET 123 doit compter 14 chiffres." in text(response)
    assert advisor_client.post("/conseiller/import/confirmer").url == "/conseiller/import"
    assert not Company.objects.exists() and not Offer.objects.exists()

    good = HEADER + f"{_siret(1)};Fournil A;62041;boulanger;3|4;apprentissage;01/09/2027;2;Au levain\n"
    good += f"{_siret(1)};Fournil A;62041;boulanger;;professionnalisation;;;\n"
    response = _upload(advisor_client, "\ufeff" + good)
    assert "Aperçu : 2 offres" in text(response)
    assert not Offer.objects.exists()  # rien avant la confirmation
    response = advisor_client.post("/conseiller/import/confirmer")
    assert response.url == "/conseiller/"
    assert Company.objects.count() == 1
    offers = Offer.objects.order_by("pk")
    assert [(o.levels, o.positions, o.status) for o in offers] == [
        (["3", "4"], 2, OfferStatus.PUBLISHED),
        ([], 1, OfferStatus.PUBLISHED),
    ]
    assert str(offers[0].start_date) == "2027-09-01"
    assert AuditLog.objects.get(action="import_csv").details == {"companies": 1, "offers": 2}
    # La confirmation ne sert qu'une fois.
    advisor_client.post("/conseiller/import/confirmer")
    assert Offer.objects.count() == 2


def test_example_file_is_importable(advisor_client, setup):
    example = advisor_client.get("/conseiller/import/exemple.csv")
    assert example["Content-Disposition"].startswith("attachment")
    CommuneFactory(code="62193", departement=DepartementFactory(code="62"))
    rows, errors = parse_offers_csv(example.content)
    assert errors == [] and len(rows) == 1


def test_import_page_documents_the_columns(advisor_client):
    page = text(advisor_client.get("/conseiller/import"))
    for column in ("siret", "raison_sociale", "commune", "metier", "niveaux", "date_debut"):
        assert f"<code>{column}</code>" in page


def test_a_company_of_another_territory_cannot_be_named_in_a_file(advisor_client, setup):
    """La même règle que le formulaire : on ne publie pas sous le SIRET d'une entreprise d'un autre territoire."""
    lille = CompanyFactory(siret=_siret(40), name="Fournil de Lille", commune=Commune.objects.get(code="59350"))
    arras = CompanyFactory(siret=_siret(41), name="Fournil d'Arras", commune=Commune.objects.get(code="62041"))
    content = (
        HEADER
        + f"{arras.siret};Fournil d'Arras;62041;boulanger;;;;;\n"
        + f"{_siret(42)};Nouveau fournil;62041;boulanger;;;;;\n"
        + f"{lille.siret};N'importe quel nom;62041;boulanger;;;;;\n"
    )
    response = _upload(advisor_client, content)
    assert (
        f"Ligne 4 : l'entreprise au SIRET {lille.siret} est inscrite hors de votre territoire : "
        "seul·e un·e conseiller·e de son territoire peut publier ses offres." in text(response)
    )
    assert "Aperçu" not in text(response)
    assert advisor_client.post("/conseiller/import/confirmer").url == "/conseiller/import"
    assert not Offer.objects.exists()


def test_the_territory_is_checked_again_at_confirmation(advisor_client, setup):
    """Entre l'aperçu et la confirmation, l'entreprise a pu s'inscrire ailleurs : rien n'est importé."""
    response = _upload(advisor_client, HEADER + f"{_siret(43)};Fournil;62041;boulanger;;;;;\n")
    assert "Aperçu : 1 offre" in text(response)
    CompanyFactory(siret=_siret(43), commune=Commune.objects.get(code="59350"))
    response = advisor_client.post("/conseiller/import/confirmer", follow=True)
    assert "hors de votre territoire" in text(response)
    assert not Offer.objects.exists()


def test_a_file_just_over_the_limit_is_refused_by_the_form(advisor_client, setup):
    response = _upload(advisor_client, HEADER + "x" * (2 * 1024 * 1024))
    assert response.status_code == 200
    assert "Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers." in text(response)
    assert "2 Mo au plus" in text(response)  # l'aide du champ le dit avant l'envoi
    assert not Company.objects.exists()


def test_a_much_bigger_file_is_refused_before_being_read(advisor_client, setup):
    response = _upload(advisor_client, HEADER + "x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "Le fichier envoyé est trop volumineux : 2 Mo au plus. Rien n'a été enregistré." in text(response)
    assert "backoffice_import_rows" not in advisor_client.session
