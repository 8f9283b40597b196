import datetime

from django import forms
from django.utils import timezone

from core.enums import ContractType, DiplomaLevel
from core.forms import BaseForm
from employers.models import Company
from geo.forms import CommuneField
from trades.catalogue import FAMILY_LABELS
from trades.models import Trade

DESCRIPTION_TEMPLATE = (
    "Notre entreprise : (en deux phrases, ce que vous faites et combien vous êtes)\n"
    "Ce que l'apprenti·e apprendra : \n"
    "Ce que nous attendons : de la motivation, de la ponctualité, l'envie d'apprendre le métier."
)


def trade_choices():
    """Les métiers actifs, groupés par famille (balises <optgroup>)."""
    groups: dict[str, list] = {}
    for trade in Trade.objects.active().order_by("label"):
        groups.setdefault(trade.family, []).append((str(trade.pk), trade.label))
    ordered = [(FAMILY_LABELS.get(family, family), items) for family, items in groups.items()]
    ordered.sort(
        key=lambda group: list(FAMILY_LABELS.values()).index(group[0]) if group[0] in FAMILY_LABELS.values() else 99
    )
    return [("", "Choisissez un métier"), *ordered]


ASAP, ON_DATE = "on", "date"


class OfferForm(BaseForm):
    """L'offre sur un seul écran."""

    company = forms.ModelChoiceField(
        label="Établissement",
        queryset=Company.objects.none(),
        empty_label=None,
        required=True,
        error_messages={
            "required": "Choisissez l'établissement de l'offre.",
            "invalid_choice": "Choisissez un de vos établissements.",
        },
    )
    trade = forms.ChoiceField(
        label="Métier",
        choices=(),
        error_messages={
            "required": "Choisissez le métier de l'offre.",
            "invalid_choice": "Choisissez un métier de la liste.",
        },
    )
    levels = forms.MultipleChoiceField(
        label="Niveaux de diplôme acceptés",
        help_text="Aucune case cochée : tous les niveaux.",
        choices=DiplomaLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contract_types = forms.MultipleChoiceField(
        label="Types de contrat",
        choices=ContractType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ContractType.APPRENTISSAGE.value],
        error_messages={"required": "Cochez au moins un type de contrat."},
    )
    # Un seul choix, obligatoire : « dès que possible » ou une date (alors obligatoire, voir `__init__`).
    start_asap = forms.TypedChoiceField(
        label="Début du contrat",
        choices=[(ASAP, "Dès que possible"), (ON_DATE, "À partir d'une date précise")],
        coerce=lambda value: value == ASAP,
        widget=forms.RadioSelect,
        initial=ASAP,
        error_messages={"required": "Choisissez : « Dès que possible » ou « À partir d'une date précise »."},
    )
    start_date = forms.DateField(
        label="Date de début",
        help_text="Si vous avez choisi « À partir d'une date précise ». Format : JJ/MM/AAAA.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de début, ou choisissez « Dès que possible ».",
            "invalid": "Indiquez une date valide, par exemple 01/09/2026.",
        },
    )
    positions = forms.IntegerField(
        label="Nombre de postes",
        min_value=1,
        max_value=50,
        initial=1,
        error_messages={
            "required": "Indiquez le nombre de postes (au moins 1).",
            "min_value": "Il faut au moins un poste.",
            "max_value": "50 postes au plus par offre.",
            "invalid": "Indiquez un nombre entier de postes.",
        },
    )
    commune = CommuneField(
        label="Lieu de travail",
        help_text="Par défaut, la commune de l'établissement.",
        error_messages={"required": "Indiquez la commune du lieu de travail."},
    )
    description = forms.CharField(
        label="Description",
        help_text="Quelques phrases simples suffisent. Modifiez le modèle proposé.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        initial=DESCRIPTION_TEMPLATE,
        error_messages={
            "required": "Décrivez l'offre en quelques phrases.",
            "max_length": "La description dépasse 3 000 caractères : raccourcissez-la.",
        },
    )
    working_hours = forms.CharField(
        label="Horaires",
        help_text="Par exemple : du mardi au samedi, 7 h - 14 h.",
        required=False,
        max_length=200,
        error_messages={"max_length": "Les horaires tiennent en 200 caractères au plus."},
    )
    night_or_early_work = forms.BooleanField(label="Travail de nuit ou très tôt le matin (avant 6 h)", required=False)
    driving_licence_required = forms.BooleanField(label="Permis de conduire nécessaire", required=False)
    accepts_minors = forms.BooleanField(
        label="Je peux accueillir un·e apprenti·e mineur·e", required=False, initial=True
    )
    lba_consent = forms.BooleanField(
        label="Diffuser aussi mon offre sur La bonne alternance",
        help_text="Le site public de l'alternance, repris par 1jeune1solution et Parcoursup. Seuls l'intitulé, "
        "le lieu, le début, le nombre de postes et le nom de l'établissement sont transmis ; les candidat·es "
        "répondent ici. Décochez pour ne pas la diffuser.",
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, offer=None, **kwargs):
        companies = Company.objects.for_member(user).select_related("commune").order_by("name")
        initial = kwargs.setdefault("initial", {})
        if offer is not None:
            initial.update(
                company=offer.company_id,
                trade=str(offer.trade_id),
                levels=offer.levels,
                contract_types=offer.contract_types,
                start_asap=ASAP if offer.start_date is None else ON_DATE,
                start_date=offer.start_date,
                positions=offer.positions,
                commune=offer.commune,
                description=offer.description,
                working_hours=offer.working_hours,
                night_or_early_work=offer.night_or_early_work,
                driving_licence_required=offer.driving_licence_required,
                accepts_minors=offer.accepts_minors,
                lba_consent=offer.lba_consent,
            )
        else:
            first = companies.first()
            if first is not None:
                initial.setdefault("company", first.pk)
                initial.setdefault("commune", first.commune)
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.fields["company"].queryset = companies
        if offer is not None or len(companies) <= 1:
            del self.fields["company"]
            self.company = offer.company if offer else companies.first()
        self.fields["trade"].choices = trade_choices()
        if self.is_bound:
            asap_key, date_key = self.add_prefix("start_asap"), self.add_prefix("start_date")
            if not self.data.get(asap_key) and self.data.get(date_key):  # une date sans le choix : une date
                self.data = self.data.copy()
                self.data[asap_key] = ON_DATE
            if self.data.get(asap_key) == ASAP:
                self.fields["start_date"].required = False

    def clean_trade(self):
        trade = Trade.objects.active().filter(pk=self.cleaned_data["trade"]).first()
        if trade is None:
            raise forms.ValidationError("Choisissez un métier de la liste.")
        return trade

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start and start < timezone.localdate():
            raise forms.ValidationError("La date de début ne peut pas être dans le passé.")
        if start and start > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("La date de début doit être dans moins d'un an.")
        return start

    def offer_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "trade": data["trade"],
            "levels": sorted(data["levels"]),
            "contract_types": list(data["contract_types"]),
            "start_date": None if data["start_asap"] else data["start_date"],
            "positions": data["positions"],
            "commune": data["commune"],
            "description": data["description"].strip(),
            "working_hours": data["working_hours"].strip(),
            "night_or_early_work": data["night_or_early_work"],
            "driving_licence_required": data["driving_licence_required"],
            "accepts_minors": data["accepts_minors"],
            "lba_consent": data["lba_consent"],
        }

    def get_company(self):
        return self.cleaned_data.get("company") or self.company
