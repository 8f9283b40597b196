"""Formulaires du parcours candidat·e : inscription (écran 1), « Où et quoi » (2), « Quand et comment » (3)
et modification du profil (les trois réunis, sans l'e-mail)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from candidates.enums import AgeException, NotificationFrequency
from candidates.fields import TradesField
from core.enums import DEFAULT_RADIUS_KM, RADIUS_CHOICES, ContractType, DiplomaLevel, radius_band
from core.forms import BaseForm
from core.phone import clean_french_phone, format_phone
from core.text import MONTHS
from geo.forms import CommuneField
from geo.models import Commune
from trades.models import Trade

CHECKBOX_TEMPLATE = "candidates/_checkbox_field.html"
MIN_AGE = 15
MAX_AGE = 29
MAX_TRADES = 3
PRESENTATION_MAX_LENGTH = 500
AGE_EXCEPTION_EXPLANATION = (
    "Après 29 ans, l'apprentissage reste possible si tu as une reconnaissance de la qualité de travailleur "
    "handicapé (RQTH), si tu es sportif ou sportive de haut niveau, ou si tu as un projet de création ou de "
    "reprise d'entreprise qui demande ce diplôme."
)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


class IdentityForm(BaseForm):
    """Prénom, nom, date de naissance, et les règles d'âge de l'apprentissage."""

    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        error_messages={"required": "Indique ton prénom."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=150,
        error_messages={"required": "Indique ton nom."},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        help_text="Format attendu : JJ/MM/AAAA. Il faut avoir au moins 15 ans.",
        error_messages={
            "required": "Indique ta date de naissance.",
            "invalid": "Cette date n'est pas valide. Écris-la comme ceci : 14/05/2008.",
        },
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    finished_college = forms.BooleanField(
        label="J'ai terminé le collège (classe de 3e)",
        help_text="À remplir seulement si tu as 15 ans : l'apprentissage est alors possible après la 3e.",
        required=False,
        template_name=CHECKBOX_TEMPLATE,
    )
    age_exception = forms.ChoiceField(
        label="Si tu as 30 ans ou plus : ta situation",
        help_text=AGE_EXCEPTION_EXPLANATION,
        choices=[("", "Aucune de ces situations"), *AgeException.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date > today:
            raise ValidationError("La date de naissance ne peut pas être dans le futur.", code="future")
        if birth_date.year < 1900 or age_on(birth_date, today) > 99:
            raise ValidationError(
                "Cette date de naissance semble erronée : vérifie l'année (par exemple 14/05/2008).", code="absurd"
            )
        age = age_on(birth_date, today)
        if age < MIN_AGE:
            raise ValidationError(
                f"Il faut avoir au moins 15 ans pour commencer un apprentissage. Tu as {age} ans : "
                "reviens t'inscrire dès tes 15 ans.",
                code="too_young",
            )
        return birth_date

    def clean(self):
        cleaned_data = super().clean()
        birth_date = cleaned_data.get("birth_date")
        if birth_date is None:
            return cleaned_data
        age = age_on(birth_date, timezone.localdate())
        if age == MIN_AGE and not cleaned_data.get("finished_college"):
            self.add_error(
                "finished_college",
                ValidationError(
                    "À 15 ans, l'apprentissage est possible seulement si tu as terminé le collège (la 3e). "
                    "Coche la case si c'est ton cas.",
                    code="college",
                ),
            )
        if age > MAX_AGE and not cleaned_data.get("age_exception"):
            self.add_error(
                "age_exception",
                ValidationError(
                    f"Tu as {age} ans. {AGE_EXCEPTION_EXPLANATION} Choisis ta situation si l'une d'elles te concerne.",
                    code="too_old",
                ),
            )
        if age <= MAX_AGE:
            cleaned_data["age_exception"] = ""
        return cleaned_data


class SignupForm(IdentityForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="Format attendu : nom@domaine.fr. On t'y envoie un lien pour continuer.",
        error_messages={
            "required": "Indique ton adresse e-mail.",
            "invalid": "Cette adresse e-mail n'est pas valide. Exemple : prenom.nom@gmail.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class WhereWhatForm(BaseForm):
    """Écran 2 : où et quoi."""

    commune = CommuneField(
        label="Ta commune",
        help_text="Nom ou code postal, par exemple « Saint-Omer (62500) ».",
        error_messages={"required": "Indique la commune où tu habites."},
    )
    radius_km = forms.TypedChoiceField(
        label="Jusqu'où peux-tu aller chaque jour ?",
        choices=RADIUS_CHOICES,
        coerce=int,
        initial=DEFAULT_RADIUS_KM,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisis une distance."},
    )
    has_driving_licence = forms.BooleanField(
        label="J'ai le permis de conduire", required=False, template_name=CHECKBOX_TEMPLATE
    )
    has_vehicle = forms.BooleanField(
        label="J'ai un véhicule (voiture, scooter…)", required=False, template_name=CHECKBOX_TEMPLATE
    )
    trades = TradesField(
        label="Le ou les métiers que tu veux apprendre",
        help_text="Choisis de 1 à 3 métiers.",
        error_messages={"required": "Choisis au moins un métier.", "invalid_choice": "Ce métier n'existe pas."},
    )
    level = forms.ChoiceField(
        label="Le diplôme que tu vas préparer",
        choices=DiplomaLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisis le niveau du diplôme que tu vas préparer."},
    )

    def clean_trades(self):
        trades = self.cleaned_data["trades"]
        if len(trades) > MAX_TRADES:
            raise ValidationError(f"Choisis au plus 3 métiers (tu en as coché {len(trades)}).", code="too_many_trades")
        return list(trades)


def _year_choices():
    year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(year, year + 3)]


class WhenHowForm(BaseForm):
    """Écran 3 : quand et comment."""

    contract_types = forms.MultipleChoiceField(
        label="Le type de contrat que tu cherches",
        help_text="Tu peux cocher les deux.",
        choices=ContractType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Coche au moins un type de contrat."},
    )
    job_seeker = forms.BooleanField(
        label="Je suis inscrit·e à France Travail (demandeur·se d'emploi)",
        help_text="À 26 ans et plus, le contrat de professionnalisation est réservé aux personnes inscrites.",
        required=False,
        template_name=CHECKBOX_TEMPLATE,
    )
    start_month = forms.TypedChoiceField(
        label="Mois où tu peux commencer",
        choices=[("", "Choisis un mois"), *((str(i), name) for i, name in enumerate(MONTHS, start=1))],
        coerce=int,
        error_messages={"required": "Choisis le mois où tu peux commencer."},
    )
    start_year = forms.TypedChoiceField(
        label="Année",
        choices=_year_choices,
        coerce=int,
        error_messages={"required": "Choisis l'année.", "invalid_choice": "Choisis une année dans la liste."},
    )
    has_training_place = forms.TypedChoiceField(
        label="As-tu déjà une place dans un CFA (centre de formation d'apprentis) ?",
        choices=[("oui", "Oui"), ("non", "Non")],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        error_messages={"required": "Réponds oui ou non."},
    )
    training_centre = forms.CharField(
        label="Si oui, lequel ?",
        help_text="Nom et ville du CFA, par exemple « CFA de la CMA, Arras ».",
        max_length=200,
        required=False,
    )
    phone = forms.CharField(
        label="Téléphone",
        help_text="Pour que l'artisan puisse t'appeler quand vous êtes tous les deux intéressés. "
        "Exemple : 06 12 34 56 78",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    presentation = forms.CharField(
        label="Quelques mots sur toi",
        help_text=(
            "500 caractères au plus. Par exemple : ce qui te plaît dans ce métier, un stage que tu as fait, "
            "tes qualités (ponctuel·le, manuel·le, motivé·e…), tes loisirs."
        ),
        max_length=PRESENTATION_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": "500 caractères au plus (tu en as écrit %(show_value)d).",
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return clean_french_phone(raw) if raw else ""

    def clean(self):
        cleaned_data = super().clean()
        month, year = cleaned_data.get("start_month"), cleaned_data.get("start_year")
        if month and year:
            cleaned_data["available_from"] = datetime.date(year, month, 1)
            if cleaned_data["available_from"] < timezone.localdate().replace(day=1):
                self.add_error(
                    "start_month",
                    ValidationError(
                        "Ce mois est déjà passé : choisis le mois en cours ou un mois à venir.", code="past"
                    ),
                )
        if cleaned_data.get("has_training_place") is False:
            cleaned_data["training_centre"] = ""
        elif cleaned_data.get("has_training_place") and not cleaned_data.get("training_centre"):
            self.add_error("training_centre", ValidationError("Indique le nom de ton CFA.", code="required"))
        return cleaned_data


def when_how_initial(profile) -> dict:
    initial = {
        "contract_types": profile.contract_types,
        "job_seeker": profile.job_seeker,
        "presentation": profile.presentation,
    }
    initial["phone"] = format_phone(profile.user.phone)
    if profile.available_from:
        initial["start_month"] = str(profile.available_from.month)
        initial["start_year"] = str(profile.available_from.year)
    if profile.is_complete or profile.training_centre:
        initial["has_training_place"] = "oui" if profile.has_training_place else "non"
        initial["training_centre"] = profile.training_centre
    return initial


def where_what_initial(profile) -> dict:
    initial = {
        "radius_km": profile.radius_km,
        "has_driving_licence": profile.has_driving_licence,
        "has_vehicle": profile.has_vehicle,
        "level": profile.level,
        "trades": list(profile.trades.all()),
    }
    if profile.commune_id:
        initial["commune"] = profile.commune
    return initial


def identity_initial(profile) -> dict:
    return {
        "first_name": profile.user.first_name,
        "last_name": profile.user.last_name,
        "birth_date": profile.birth_date,
        "finished_college": True,
        "age_exception": profile.age_exception,
    }


class ProfileForm(IdentityForm, WhereWhatForm, WhenHowForm):
    """Modifier son profil : les champs des trois écrans, sans l'e-mail."""

    field_order = [
        "first_name",
        "last_name",
        "birth_date",
        "finished_college",
        "age_exception",
        "commune",
        "radius_km",
        "has_driving_licence",
        "has_vehicle",
        "trades",
        "level",
        "contract_types",
        "job_seeker",
        "start_month",
        "start_year",
        "has_training_place",
        "training_centre",
        "phone",
        "presentation",
    ]

    def __init__(self, *args, profile, identity_verified=False, **kwargs):
        kwargs.setdefault(
            "initial", {**identity_initial(profile), **where_what_initial(profile), **when_how_initial(profile)}
        )
        super().__init__(*args, **kwargs)
        if identity_verified:
            for name in ("first_name", "last_name", "birth_date"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Vérifié par FranceConnect : ne peut pas être modifié ici."
                self._bound_fields_cache.pop(name, None)  # le champ lié garde une copie de l'aide


class FoundContractForm(BaseForm):
    found_through_service = forms.TypedChoiceField(
        label="As-tu trouvé ce contrat grâce à C'est ma chance ?",
        choices=[("oui", "Oui, grâce à une mise en relation du service"), ("non", "Non, autrement")],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        error_messages={"required": "Réponds oui ou non : cela nous aide à savoir si le service est utile."},
    )


class NotificationsForm(BaseForm):
    frequency = forms.ChoiceField(
        label="Quand veux-tu recevoir des e-mails ?",
        choices=NotificationFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisis une option."},
    )


def search_prefill(data) -> dict:
    """La recherche publique reprise à l'inscription (paramètres `commune`, `rayon`, `metier`, `niveau` de la
    page « Trouver une offre ») : {"commune": code INSEE, "radius_km", "trade_codes", "level"} ; une valeur
    inconnue est ignorée (l'écran « Où et quoi » la demandera). Le rayon devient le plus petit rayon proposé
    qui le couvre."""
    prefill = {}
    code = str(data.get("commune", ""))[:5]
    if code and Commune.objects.filter(code=code).exists():
        prefill["commune"] = code
    radius_km = str(data.get("rayon", ""))
    if radius_km.isdigit() and int(radius_km) > 0:
        prefill["radius_km"] = radius_band(int(radius_km))
    trade = str(data.get("metier", ""))[:60]
    if trade and Trade.objects.active().filter(code=trade).exists():
        prefill["trade_codes"] = [trade]
    level = str(data.get("niveau", ""))
    if level in DiplomaLevel.values:
        prefill["level"] = level
    return prefill


def prefill_query(prefill: dict) -> dict:
    """Les paramètres d'adresse d'une recherche reprise (champs cachés du formulaire d'inscription)."""
    query = {}
    if prefill.get("commune"):
        query["commune"] = prefill["commune"]
    if prefill.get("radius_km"):
        query["rayon"] = str(prefill["radius_km"])
    if prefill.get("trade_codes"):
        query["metier"] = prefill["trade_codes"][0]
    if prefill.get("level"):
        query["niveau"] = prefill["level"]
    return query
