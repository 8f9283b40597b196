"""Les champs d'une offre que l'on saisit, définis une fois.

`OFFER_FIELDS` nomme chaque champ modifiable d'une offre (son nom dans le modèle `Offer` et les formulaires), sa
colonne dans l'import CSV des conseiller·es et son nom dans l'API publique ; leurs limites, leurs choix et leurs
messages sont ici aussi. Le formulaire de l'employeur (`offers.forms.OfferForm`), celui des conseiller·es
(`backoffice.forms.OfferForm`), l'import CSV (`backoffice.importers`) et l'API (`offers.api.OfferOut`) en
dérivent ; `tests/offers/test_fields.py` vérifie que les quatre s'accordent.

Les conseiller·es (formulaire et import) saisissent les champs qui ont une colonne CSV ; l'employeur les saisit
tous. Chacun garde ses libellés et ses aides ; les limites et les choix ne se redéfinissent pas ailleurs.
"""

from dataclasses import dataclass

from django import forms

from core.enums import ContractType, DiplomaLevel
from offers.models import Offer


@dataclass(frozen=True)
class OfferField:
    name: str  # champ du modèle `Offer` et des formulaires
    column: str = ""  # colonne de l'import CSV ; vide : ni importé ni saisi par les conseiller·es
    api: str = ""  # nom dans l'API publique ; vide : pas publié

    @property
    def by_advisor(self) -> bool:
        return bool(self.column)


# Dans l'ordre du formulaire des conseiller·es et des colonnes de l'import.
OFFER_FIELDS = (
    OfferField("commune", column="commune", api="commune"),
    OfferField("trade", column="metier", api="metier"),
    OfferField("levels", column="niveaux", api="niveaux"),
    OfferField("contract_types", column="types_contrat", api="types_contrat"),
    OfferField("start_date", column="date_debut", api="debut"),
    OfferField("positions", column="postes", api="postes"),
    OfferField("description", column="description"),
    OfferField("working_hours"),
    OfferField("night_or_early_work"),
    OfferField("driving_licence_required"),
    OfferField("accepts_minors"),
    OfferField("lba_consent"),
)
FIELD_NAMES = tuple(field.name for field in OFFER_FIELDS)
ADVISOR_FIELD_NAMES = tuple(field.name for field in OFFER_FIELDS if field.by_advisor)

# --- Limites et choix -------------------------------------------------------------------------------

LEVEL_CHOICES = DiplomaLevel.choices  # aucun : tous les niveaux
CONTRACT_TYPE_CHOICES = ContractType.choices
DEFAULT_CONTRACT_TYPES = [ContractType.APPRENTISSAGE.value]
POSITIONS_MIN = 1
DEFAULT_POSITIONS = Offer._meta.get_field("positions").default
POSITIONS_MAX = 50
DESCRIPTION_MAX_LENGTH = 3000
WORKING_HOURS_MAX_LENGTH = Offer._meta.get_field("working_hours").max_length
START_DATE_MAX_DAYS = 366  # le début, s'il est daté, dans moins d'un an (formulaire de l'employeur)


DESCRIPTION_MAX_TEXT = f"{DESCRIPTION_MAX_LENGTH:,} caractères".replace(",", " ")  # « 3 000 caractères »
DESCRIPTION_TOO_LONG = f"La description dépasse {DESCRIPTION_MAX_TEXT} : raccourcissez-la."
POSITIONS_ERRORS = {
    "required": f"Indiquez le nombre de postes (au moins {POSITIONS_MIN}).",
    "min_value": "Il faut au moins un poste.",
    "max_value": f"{POSITIONS_MAX} postes au plus par offre.",
    "invalid": "Indiquez un nombre entier de postes.",
}


# --- Champs de formulaire ---------------------------------------------------------------------------


def levels_field(*, label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, help_text=help_text, choices=LEVEL_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )


def contract_types_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Types de contrat",
        choices=CONTRACT_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_CONTRACT_TYPES,
        error_messages={"required": "Cochez au moins un type de contrat."},
    )


def positions_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Nombre de postes",
        min_value=POSITIONS_MIN,
        max_value=POSITIONS_MAX,
        initial=DEFAULT_POSITIONS,
        error_messages=POSITIONS_ERRORS,
    )


def description_field(*, rows: int, required: bool, error_messages=None, **options) -> forms.CharField:
    return forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=required,
        error_messages={**(error_messages or {}), "max_length": DESCRIPTION_TOO_LONG},
        **options,
    )


def working_hours_field() -> forms.CharField:
    return forms.CharField(
        label="Horaires",
        help_text="Par exemple : du mardi au samedi, 7 h - 14 h.",
        required=False,
        max_length=WORKING_HOURS_MAX_LENGTH,
        error_messages={"max_length": f"Les horaires tiennent en {WORKING_HOURS_MAX_LENGTH} caractères au plus."},
    )
