"""La recherche publique d'offres (sans compte) : commune, rayon, métier ou famille, niveau."""

from django import forms
from django.core.exceptions import ValidationError

from core.enums import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MIN_RADIUS_KM, DiplomaLevel
from core.forms import BaseForm
from geo.forms import CommuneField
from trades.catalogue import FAMILIES, FAMILY_LABELS
from trades.models import Trade


def trade_choices() -> list:
    """Les métiers du catalogue, groupés par famille (`<optgroup>`), dans l'ordre des familles."""
    grouped: dict[str, list] = {code: [] for code, _label in FAMILIES}
    for code, label, family in Trade.objects.active().order_by("label").values_list("code", "label", "family"):
        grouped.setdefault(family, []).append((code, label))
    return [("", "Tous les métiers")] + [
        (FAMILY_LABELS.get(family, family), items) for family, items in grouped.items() if items
    ]


class OfferSearchForm(BaseForm):
    """Formulaire GET : il marche sans JavaScript et chaque recherche a son adresse (à partager, à indexer)."""

    commune = CommuneField(
        label="Ta commune",
        help_text="Nom ou code postal, par exemple « Saint-Omer (62500) ».",
        error_messages={"required": "Indique ta commune pour chercher les offres autour."},
    )
    rayon = forms.IntegerField(
        label="Distance (km)",
        help_text=f"Jusqu'où peux-tu aller chaque jour ? De {MIN_RADIUS_KM} à {MAX_RADIUS_KM} km.",
        min_value=MIN_RADIUS_KM,
        max_value=MAX_RADIUS_KM,
        initial=DEFAULT_RADIUS_KM,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "La distance doit être un nombre entier de kilomètres, par exemple 30.",
            "min_value": f"La distance doit être d'au moins {MIN_RADIUS_KM} km.",
            "max_value": f"La distance ne peut pas dépasser {MAX_RADIUS_KM} km.",
        },
    )
    famille = forms.ChoiceField(
        label="Famille de métiers",
        choices=[("", "Toutes les familles"), *FAMILIES],
        required=False,
        error_messages={"invalid_choice": "Famille de métiers inconnue : choisis-la dans la liste."},
    )
    metier = forms.ChoiceField(
        label="Métier",
        help_text="Un métier précis ; sinon, toute la famille choisie.",
        required=False,
        error_messages={"invalid_choice": "Métier inconnu : choisis-le dans la liste."},
    )
    niveau = forms.ChoiceField(
        label="Niveau de diplôme préparé",
        choices=[("", "Tous les niveaux"), *DiplomaLevel.choices],
        required=False,
        error_messages={"invalid_choice": "Niveau inconnu : choisis-le dans la liste."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metier"].choices = trade_choices()

    def clean_rayon(self):
        return self.cleaned_data.get("rayon") or DEFAULT_RADIUS_KM

    def clean(self):
        cleaned_data = super().clean()
        code, family = cleaned_data.get("metier"), cleaned_data.get("famille")
        if code:
            trade = Trade.objects.active().filter(code=code).first()
            if trade is None:
                raise ValidationError({"metier": "Métier inconnu : choisis-le dans la liste."})
            if family and trade.family != family:
                self.add_error(
                    "metier",
                    f"Ce métier n'est pas dans la famille « {FAMILY_LABELS[family]} » : change l'un des deux.",
                )
            cleaned_data["trade"] = trade
        return cleaned_data

    def trade_ids(self) -> set[int] | None:
        """Les métiers cherchés : le métier, sinon ceux de la famille ; None : tous."""
        data = self.cleaned_data
        if data.get("trade"):
            return {data["trade"].pk}
        if data.get("famille"):
            return set(Trade.objects.active().filter(family=data["famille"]).values_list("pk", flat=True))
        return None

    def query(self) -> dict:
        """La recherche, en paramètres d'adresse normalisés (commune en code INSEE)."""
        data = self.cleaned_data
        params = {"commune": data["commune"].code, "rayon": str(data["rayon"])}
        for name in ("famille", "metier", "niveau"):
            if data.get(name):
                params[name] = data[name]
        return params
