"""Import CSV des entreprises et de leurs offres (les fichiers existants des CMA).

`parse_offers_csv` lit et vérifie tout le fichier sans rien écrire : il renvoie les lignes prêtes à
importer et les erreurs, ligne par ligne, en français. L'écriture est `services.offers_import`, tout ou rien.
Les colonnes de l'offre, leurs choix et leurs limites sont ceux des formulaires (`offers.fields`).
"""

import csv
import datetime
import io
from dataclasses import asdict, dataclass, field

from django.conf import settings

from core.enums import ContractType, DiplomaLevel
from geo.selectors import commune_lookup
from offers.fields import (
    DEFAULT_CONTRACT_TYPES,
    DEFAULT_POSITIONS,
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MAX_TEXT,
    DESCRIPTION_TOO_LONG,
    OFFER_FIELDS,
    POSITIONS_MAX,
    POSITIONS_MIN,
)
from trades.models import Trade

MAX_BYTES = settings.UPLOAD_MAX_BYTES  # le plus gros fichier que le site accepte (voir RequestSizeLimitMiddleware)
MAX_ROWS = 2000

# (obligatoire, explication) de chaque colonne : la documentation affichée sur la page d'import. L'entreprise,
# puis les champs de l'offre que saisissent les conseiller·es (`offers.fields.OFFER_FIELDS`, dans leur ordre).
COMPANY_COLUMNS = {
    "siret": (True, "14 chiffres, espaces permis."),
    "raison_sociale": (True, "Nom de l'entreprise."),
}
OFFER_COLUMNS = {
    "commune": (True, "Code INSEE, code postal ou « Nom (code postal) » du lieu de travail."),
    "metier": (True, "Code du métier au catalogue (ex. « boulanger ») ou son libellé exact."),
    "niveaux": (False, "Niveaux acceptés séparés par « | » (3 à 7) ; vide : tous les niveaux."),
    "types_contrat": (
        False,
        "« apprentissage », « professionnalisation » ou les deux séparés par « | » ; vide : apprentissage.",
    ),
    "date_debut": (False, "JJ/MM/AAAA ; vide : dès que possible."),
    "postes": (False, f"Nombre de postes ; vide : {DEFAULT_POSITIONS}."),
    "description": (False, f"Texte libre de l'offre ; {DESCRIPTION_MAX_TEXT} au plus."),
}
COLUMNS = [(name, *COMPANY_COLUMNS[name]) for name in COMPANY_COLUMNS] + [
    (field.column, *OFFER_COLUMNS[field.column]) for field in OFFER_FIELDS if field.column
]
REQUIRED = [name for name, required, _ in COLUMNS if required]

EXAMPLE = (
    ";".join(name for name, _required, _help in COLUMNS) + "\n"
    "73282932000074;Boulangerie du Beffroi;62193;boulanger;3|4;apprentissage;01/09/2027;1;"
    "Fournil traditionnel, pain au levain.\n"
)


@dataclass
class ImportRow:
    line: int
    siret: str
    name: str
    commune_code: str
    commune_label: str
    trade_id: int
    trade_label: str
    levels: list[str] = field(default_factory=list)
    contract_types: list[str] = field(default_factory=list)
    start_date: str = ""
    positions: int = 1
    description: str = ""

    def as_dict(self):
        return asdict(self)


def siret_is_valid(siret: str) -> bool:
    """Clé de Luhn ; les établissements de La Poste (SIREN 356000000) suivent une autre règle."""
    if siret.startswith("356000000"):
        return sum(int(d) for d in siret) % 5 == 0
    total = 0
    for index, digit in enumerate(reversed(siret)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » puis réessayez.") from None


def parse_offers_csv(
    raw: bytes, *, allowed_departements=None, sirets_outside=None
) -> tuple[list[ImportRow], list[str]]:
    """Lit le fichier ; renvoie (lignes valides, erreurs). `allowed_departements` : codes permis (None : tous) ;
    `sirets_outside` : fonction qui, d'un ensemble de SIRET, rend ceux des entreprises inscrites hors du
    territoire (`scope.sirets_outside`, la même règle que le formulaire) ; None : aucune."""
    if len(raw) > MAX_BYTES:
        return [], [f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : découpez-le en plusieurs fichiers."]
    try:
        content = _decode(raw)
    except ValueError as error:
        return [], [str(error)]
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [f"Ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}."]

    trades_by_key = {}
    for trade in Trade.objects.active():
        trades_by_key[trade.code.lower()] = trade
        trades_by_key[trade.label.lower()] = trade

    records, errors = [], []
    for line_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if line_number > MAX_ROWS + 1:
            errors.append(f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le.")
            break
        records.append(
            (line_number, {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)})
        )
    outside = sirets_outside({record["siret"].replace(" ", "") for _, record in records}) if sirets_outside else set()

    rows = []
    for line_number, record in records:
        row, line_errors = _parse_line(line_number, record, trades_by_key, allowed_departements, outside)
        errors.extend(line_errors)
        if row:
            rows.append(row)
    if not rows and not errors:
        errors.append("Le fichier ne contient aucune ligne à importer.")
    return rows, errors


def _parse_line(n, record, trades_by_key, allowed_departements, sirets_outside):
    errors = []
    prefix = f"Ligne {n} :"
    siret = record["siret"].replace(" ", "")
    if not siret:
        errors.append(f"{prefix} le SIRET est obligatoire.")
    elif not siret.isdigit() or len(siret) != 14:
        errors.append(f"{prefix} le SIRET {siret} doit compter 14 chiffres.")
    elif not siret_is_valid(siret):
        errors.append(f"{prefix} le SIRET {siret} n'est pas valide (clé de contrôle) : vérifiez-le.")
    elif siret in sirets_outside:
        errors.append(
            f"{prefix} l'entreprise au SIRET {siret} est inscrite hors de votre territoire : "
            "seul·e un·e conseiller·e de son territoire peut publier ses offres."
        )
    name = record["raison_sociale"]
    if not name:
        errors.append(f"{prefix} la raison sociale est obligatoire.")
    commune = None
    if not record["commune"]:
        errors.append(f"{prefix} la commune est obligatoire.")
    else:
        lookup = commune_lookup(record["commune"])
        commune = lookup.commune
        if commune is None:
            errors.append(f"{prefix} la commune « {record['commune']} » est inconnue ou ambiguë.")
        elif allowed_departements is not None and commune.departement_id not in allowed_departements:
            errors.append(f"{prefix} la commune {commune.label} est hors de votre territoire.")
    trade = trades_by_key.get(record["metier"].lower())
    if trade is None:
        errors.append(f"{prefix} le métier « {record['metier']} » n'est pas au catalogue.")
    levels = [value.strip() for value in record.get("niveaux", "").split("|") if value.strip()]
    if bad := [value for value in levels if value not in DiplomaLevel.values]:
        errors.append(f"{prefix} niveau(x) inconnu(s) : {', '.join(bad)} (attendu : 3 à 7).")
    contract_types = [value.strip().lower() for value in record.get("types_contrat", "").split("|") if value.strip()]
    if bad := [value for value in contract_types if value not in ContractType.values]:
        errors.append(f"{prefix} type(s) de contrat inconnu(s) : {', '.join(bad)}.")
    start_date = ""
    if record.get("date_debut"):
        try:
            start_date = datetime.datetime.strptime(record["date_debut"], "%d/%m/%Y").date().isoformat()
        except ValueError:
            errors.append(f"{prefix} la date de début « {record['date_debut']} » doit s'écrire JJ/MM/AAAA.")
    positions = DEFAULT_POSITIONS
    if record.get("postes"):
        if record["postes"].isdigit() and POSITIONS_MIN <= int(record["postes"]) <= POSITIONS_MAX:
            positions = int(record["postes"])
        else:
            errors.append(
                f"{prefix} le nombre de postes « {record['postes']} » doit être un nombre de "
                f"{POSITIONS_MIN} à {POSITIONS_MAX}."
            )
    description = record.get("description", "")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors.append(f"{prefix} {DESCRIPTION_TOO_LONG[0].lower()}{DESCRIPTION_TOO_LONG[1:]}")
    if errors:
        return None, errors
    return (
        ImportRow(
            line=n,
            siret=siret,
            name=name[:200],
            commune_code=commune.code,
            commune_label=commune.label,
            trade_id=trade.pk,
            trade_label=trade.label,
            levels=levels,
            contract_types=contract_types or list(DEFAULT_CONTRACT_TYPES),
            start_date=start_date,
            positions=positions,
            description=description,
        ),
        [],
    )
