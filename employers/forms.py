from django import forms

from core.forms import BaseForm
from core.phone import clean_french_phone
from employers import validators
from employers.enums import StaffBand
from geo.forms import CommuneField


class CompanyFieldsMixin(forms.Form):
    siret = forms.CharField(
        label="SIRET de l'établissement",
        help_text="14 chiffres, sur un bulletin de paie ou sur annuaire-entreprises.data.gouv.fr.",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "data-company-siret": ""}),
        error_messages={
            "required": "Indiquez le SIRET de l'établissement (14 chiffres).",
            "max_length": "Un SIRET a 14 chiffres : vérifiez le numéro.",
        },
    )
    company_name = forms.CharField(
        label="Nom de l'entreprise",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={
            "required": "Indiquez le nom de l'entreprise.",
            "max_length": "Le nom de l'entreprise tient en 200 caractères au plus.",
        },
    )
    commune = CommuneField(
        label="Commune de l'établissement",
        error_messages={"required": "Indiquez la commune de l'établissement."},
    )
    naf_code = forms.CharField(
        label="Code NAF/APE",
        help_text="Par exemple 10.71C (boulangerie et boulangerie-pâtisserie).",
        required=False,
        max_length=10,
        error_messages={"max_length": "Un code NAF/APE s'écrit en 6 caractères, par exemple 10.71C."},
    )
    staff_band = forms.ChoiceField(
        label="Effectif",
        choices=StaffBand.choices,
        initial=StaffBand.FROM_0_TO_10,
        error_messages={
            "required": "Choisissez l'effectif de l'établissement.",
            "invalid_choice": "Choisissez un effectif de la liste.",
        },
    )

    def clean_siret(self):
        return validators.clean_siret(self.cleaned_data["siret"])

    def clean_naf_code(self):
        return validators.clean_naf(self.cleaned_data["naf_code"])


class EmployerSignupForm(CompanyFieldsMixin, BaseForm):
    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Indiquez votre prénom.", "max_length": "150 caractères au plus."},
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Indiquez votre nom.", "max_length": "150 caractères au plus."},
    )
    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="Nous y enverrons un lien pour vous connecter. Format : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Indiquez votre adresse e-mail.",
            "invalid": "Cette adresse e-mail n'est pas valide. Format : nom@domaine.fr",
        },
    )
    phone = forms.CharField(
        label="Téléphone",
        help_text="Partagé seulement avec les candidat·es avec qui vous êtes en relation. Exemple : 06 12 34 56 78.",
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={
            "required": "Indiquez votre numéro de téléphone.",
            "max_length": "Ce numéro est trop long. Exemple : 06 12 34 56 78.",
        },
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "siret",
        "company_name",
        "commune",
        "naf_code",
        "staff_band",
    ]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return clean_french_phone(self.cleaned_data["phone"])


class EmployerSignupCompleteForm(CompanyFieldsMixin, BaseForm):
    """Fin de l'inscription d'un compte ouvert par ProConnect : nom et adresse sont déjà connus."""

    phone = EmployerSignupForm.base_fields["phone"]

    field_order = ["phone", "siret", "company_name", "commune", "naf_code", "staff_band"]

    def clean_phone(self):
        return clean_french_phone(self.cleaned_data["phone"])


class CompanyAddForm(CompanyFieldsMixin, BaseForm):
    """Ajouter un établissement à son compte."""
