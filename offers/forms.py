import datetime

from django import forms
from django.utils import timezone

from core.forms import BaseForm
from employers.models import Company
from geo.forms import CommuneField
from offers.fields import (
    FIELD_NAMES,
    START_DATE_MAX_DAYS,
    contract_types_field,
    description_field,
    levels_field,
    positions_field,
    working_hours_field,
)
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
    levels = levels_field(label="Niveaux de diplôme acceptés", help_text="Aucune case cochée : tous les niveaux.")
    contract_types = contract_types_field()
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
    positions = positions_field()
    commune = CommuneField(
        label="Lieu de travail",
        help_text="Par défaut, la commune de l'établissement.",
        error_messages={"required": "Indiquez la commune du lieu de travail."},
    )
    description = description_field(
        rows=6,
        required=True,
        help_text="Quelques phrases simples suffisent. Modifiez le modèle proposé.",
        initial=DESCRIPTION_TEMPLATE,
        error_messages={"required": "Décrivez l'offre en quelques phrases."},
    )
    working_hours = working_hours_field()
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
            initial.update({name: getattr(offer, name) for name in FIELD_NAMES if name != "trade"})
            initial.update(
                company=offer.company_id,
                trade=str(offer.trade_id),
                start_asap=ASAP if offer.start_date is None else ON_DATE,
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
        if start and start > timezone.localdate() + datetime.timedelta(days=START_DATE_MAX_DAYS):
            raise forms.ValidationError("La date de début doit être dans moins d'un an.")
        return start

    def offer_fields(self) -> dict:
        """Les valeurs des champs de l'offre (`offers.fields.OFFER_FIELDS`), pour `offer_create` ou `offer_update`."""
        data = self.cleaned_data
        return {name: data[name] for name in FIELD_NAMES} | {
            "levels": sorted(data["levels"]),
            "contract_types": list(data["contract_types"]),
            "start_date": None if data["start_asap"] else data["start_date"],
            "description": data["description"].strip(),
            "working_hours": data["working_hours"].strip(),
        }

    def get_company(self):
        return self.cleaned_data.get("company") or self.company
