from django import forms

from accounts.models import User
from backoffice.enums import AuditAction, ClosureReason, ForceReason
from backoffice.importers import MAX_BYTES, siret_is_valid
from backoffice.models import Cma
from core.enums import DEFAULT_RADIUS_KM, RADIUS_CHOICES, ContractType, DiplomaLevel
from core.forms import BaseForm
from geo.forms import CommuneField
from geo.models import Departement, Region
from matching.enums import MatchState
from offers.fields import (
    ADVISOR_FIELD_NAMES,
    contract_types_field,
    description_field,
    levels_field,
    positions_field,
)
from trades.catalogue import FAMILIES
from trades.models import Trade

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def new_account_email(value: str) -> str:
    """L'adresse d'un compte à créer : normalisée, et pas déjà prise."""
    email = value.strip().lower()
    if User.objects.filter(email=email).exists():
        raise forms.ValidationError("Un compte existe déjà avec cette adresse e-mail.")
    return email


class CodeForm(BaseForm):
    code = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Affiché par votre application d'authentification (ou un code de secours).",
        max_length=20,
        error_messages={"required": "Indiquez le code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class SearchForm(BaseForm):
    q = forms.CharField(
        label="Rechercher",
        help_text="Nom, e-mail, téléphone, SIRET ou SIREN, commune, métier d'une offre",
        min_length=2,
        max_length=100,
        error_messages={
            "required": "Indiquez ce que vous cherchez.",
            "min_length": "Indiquez au moins 2 caractères.",
            "max_length": "Au plus 100 caractères.",
        },
    )


class ListFilterForm(BaseForm):
    departement = forms.ChoiceField(label="Département", required=False)
    famille = forms.ChoiceField(label="Famille de métiers", required=False)

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous")] + [(d.code, str(d)) for d in departements]
        self.fields["famille"].choices = [("", "Toutes")] + list(FAMILIES)


class CandidateCreateForm(BaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez le prénom."})
    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez le nom."})
    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="La personne y recevra un lien pour prendre la main sur son compte. Format : nom@domaine.fr",
        error_messages={"required": "Indiquez l'adresse e-mail.", "invalid": "Cette adresse e-mail n'est pas valide."},
    )
    phone = forms.CharField(label="Téléphone", max_length=20, required=False)
    birth_date = forms.DateField(
        label="Date de naissance",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date de naissance.", "invalid": "Date invalide (JJ/MM/AAAA)."},
    )
    commune = CommuneField(error_messages={"required": "Indiquez la commune."})
    radius_km = forms.TypedChoiceField(
        label="Distance maximale",
        choices=RADIUS_CHOICES,
        coerce=int,
        initial=DEFAULT_RADIUS_KM,
        error_messages={"required": "Choisissez la distance maximale.", "invalid_choice": "Choisissez une distance."},
    )
    trade = forms.ModelChoiceField(
        label="Métier recherché",
        queryset=Trade.objects.active(),
        empty_label="Choisir un métier",
        error_messages={"required": "Choisissez un métier."},
    )
    level = forms.ChoiceField(
        label="Niveau de diplôme préparé",
        choices=[("", "Choisir un niveau")] + list(DiplomaLevel.choices),
        error_messages={"required": "Choisissez un niveau."},
    )
    contract_types = forms.MultipleChoiceField(
        label="Types de contrat",
        choices=ContractType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ContractType.APPRENTISSAGE],
        error_messages={"required": "Cochez au moins un type de contrat."},
    )
    available_from = forms.DateField(
        label="Disponible à partir du",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date de disponibilité.", "invalid": "Date invalide (JJ/MM/AAAA)."},
    )
    consent = forms.BooleanField(
        label="La personne a donné son accord",
        help_text="Elle accepte que son profil soit créé pour elle et recevra un e-mail pour en garder la main.",
        error_messages={"required": "Cochez la case : l'accord de la personne est obligatoire."},
    )

    def clean_email(self):
        return new_account_email(self.cleaned_data["email"])


class OfferForm(BaseForm):
    siret = forms.CharField(
        label="SIRET de l'entreprise",
        help_text="14 chiffres. Si l'entreprise n'est pas encore inscrite, elle est créée.",
        max_length=20,
        error_messages={"required": "Indiquez le SIRET."},
    )
    company_name = forms.CharField(
        label="Nom de l'entreprise", max_length=200, required=False, help_text="Seulement pour une nouvelle entreprise."
    )
    commune = CommuneField(label="Lieu de travail", error_messages={"required": "Indiquez le lieu de travail."})
    trade = forms.ModelChoiceField(
        label="Métier",
        queryset=Trade.objects.active(),
        empty_label="Choisir un métier",
        error_messages={"required": "Choisissez un métier."},
    )
    levels = levels_field(label="Niveaux acceptés", help_text="Aucun coché : tous les niveaux.")
    contract_types = contract_types_field()
    start_date = forms.DateField(
        label="Début", widget=DATE_WIDGET, required=False, help_text="Vide : dès que possible."
    )
    positions = positions_field()
    description = description_field(rows=4, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["siret"]
            del self.fields["company_name"]

    def offer_fields(self) -> dict:
        """Les valeurs des champs de l'offre que saisissent les conseiller·es (`offers.fields.ADVISOR_FIELD_NAMES`)."""
        return {name: self.cleaned_data[name] for name in ADVISOR_FIELD_NAMES}

    def clean_siret(self):
        siret = self.cleaned_data["siret"].replace(" ", "")
        if not siret.isdigit() or len(siret) != 14:
            raise forms.ValidationError(f"Le SIRET {siret} doit compter 14 chiffres.")
        if not siret_is_valid(siret):
            raise forms.ValidationError("Ce SIRET n'est pas valide (clé de contrôle) : vérifiez-le.")
        return siret


class ProposeForm(BaseForm):
    """L'offre est choisie parmi les propositions (gabarit) ; une paire que les règles écartent demande une
    raison (la vue la vérifie avec `diagnostics.proposal`)."""

    offer = forms.ModelChoiceField(
        label="Offre à proposer",
        queryset=None,
        empty_label="Choisir une offre",
        error_messages={"required": "Choisissez une offre.", "invalid_choice": "Cette offre n'est pas disponible."},
    )
    reason = forms.ChoiceField(
        label="Raison de passer outre aux règles",
        help_text="Obligatoire si l'offre choisie ne respecte pas toutes les règles : elle est inscrite au journal.",
        choices=[("", "Choisir une raison")] + list(ForceReason.choices),
        required=False,
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers


class MatchStateFilterForm(BaseForm):
    """Filtrer les mises en relation d'une offre par état (avec le nombre de chacune)."""

    etat = forms.ChoiceField(label="État", required=False)

    def __init__(self, *args, counts, total, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etat"].choices = [("", f"Tous ({total})")] + [
            (state.value, f"{state.label} ({counts[state.value]})") for state in MatchState if counts.get(state.value)
        ]


OUTCOME_STATES = [MatchState.INTERVIEW, MatchState.CONTRACT_SIGNED, MatchState.NO_FOLLOW_UP]


class OutcomeForm(BaseForm):
    state = forms.ChoiceField(
        label="Où en est le contact ?",
        choices=[(state.value, state.label) for state in OUTCOME_STATES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez l'issue du contact."},
    )


class WithdrawForm(BaseForm):
    confirm = forms.BooleanField(
        label="Je confirme le retrait de cette mise en relation",
        help_text="Elle ne sera plus proposée, ni au ou à la candidat·e ni à l'employeur ; un recalcul ne la "
        "propose à nouveau que si les règles la retiennent.",
        error_messages={"required": "Cochez la case pour confirmer le retrait."},
    )


class CloseForm(BaseForm):
    close = forms.TypedChoiceField(
        label="Action",
        help_text="« Contrat trouvé » clôt la recherche ; les autres raisons la mettent en pause.",
        choices=[("0", "Mettre en pause"), ("1", "Clore")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
        error_messages={"required": "Choisissez : mettre en pause ou clore."},
    )
    reason = forms.ChoiceField(
        label="Raison",
        choices=[("", "Choisir une raison")] + list(ClosureReason.choices),
        error_messages={"required": "Choisissez une raison."},
    )


class OfferCloseForm(BaseForm):
    reason = forms.ChoiceField(
        label="Raison de la clôture",
        choices=[("", "Choisir une raison")] + list(ClosureReason.choices),
        error_messages={"required": "Choisissez une raison."},
    )


class ImportForm(BaseForm):
    file = forms.FileField(
        label="Fichier CSV",
        help_text=f"Séparateur « ; » ou « , », encodage UTF-8. {MAX_BYTES // (1024 * 1024)} Mo au plus.",
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:
            raise forms.ValidationError(
                f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : découpez-le en plusieurs fichiers."
            )
        return file


class CmaForm(BaseForm):
    name = forms.CharField(label="Nom de la CMA", max_length=200, error_messages={"required": "Indiquez le nom."})
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.all(),
        empty_label="Choisir une région",
        error_messages={"required": "Choisissez une région."},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Cma.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("Une CMA porte déjà ce nom.")
        return name


class AdvisorCreateForm(BaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez le prénom."})
    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez le nom."})
    email = forms.EmailField(
        label="Adresse e-mail professionnelle",
        error_messages={"required": "Indiquez l'adresse e-mail.", "invalid": "Cette adresse e-mail n'est pas valide."},
    )
    cma = forms.ModelChoiceField(
        label="CMA",
        queryset=Cma.objects.all(),
        empty_label="Choisir une CMA",
        error_messages={"required": "Choisissez une CMA."},
    )

    def clean_email(self):
        return new_account_email(self.cleaned_data["email"])


class TerritoriesForm(BaseForm):
    regions = forms.ModelMultipleChoiceField(
        label="Régions entières", queryset=Region.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    departements = forms.ModelMultipleChoiceField(
        label="Départements",
        queryset=Departement.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class JournalFilterForm(BaseForm):
    action = forms.ChoiceField(label="Action", choices=[("", "Toutes")] + list(AuditAction.choices), required=False)
    actor = forms.IntegerField(label="Identifiant du compte auteur", required=False, min_value=1)
    object_type = forms.ChoiceField(
        label="Type d'objet",
        required=False,
        choices=[
            ("", "Tous"),
            ("candidateprofile", "Profil candidat·e"),
            ("offer", "Offre"),
            ("company", "Entreprise"),
            ("match", "Mise en relation"),
            ("advisorprofile", "Conseiller·e"),
            ("cma", "CMA"),
            ("liste", "Liste"),
            ("import", "Import"),
        ],
    )
    object_id = forms.CharField(label="Identifiant de l'objet", required=False, max_length=40)
