"""Champ de formulaire « commune », réutilisable par les autres applications."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from geo.models import Commune
from geo.selectors import commune_lookup

MAX_SUGGESTIONS = 5


def _labels(communes) -> str:
    return ", ".join(commune.label for commune in communes)


class _UserInput(str):
    """Texte saisi par l'utilisateur (à ne pas confondre avec un code INSEE initial)."""


class CommuneInput(forms.TextInput):
    """Saisie libre reliée à une `<datalist>` ; un script peut la remplir depuis `data-commune-search-url`."""

    template_name = "geo/widgets/commune_input.html"

    def __init__(self, attrs=None):
        attrs = {"autocomplete": "off", "data-commune-search-url": reverse_lazy("geo:commune_search"), **(attrs or {})}
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["datalist_id"] = f"{widget['attrs'].get('id') or name}-communes"
        widget["attrs"]["list"] = widget["datalist_id"]
        widget["datalist"] = [widget["value"]] if widget["value"] else []
        return context


class CommuneField(forms.CharField):
    """Accepte un code INSEE, un libellé « Nom (code postal) », ou un code postal ou un nom qui ne désigne
    qu'une commune ; renvoie la `Commune`. Sinon, l'erreur propose des communes."""

    widget = CommuneInput
    default_error_messages = {
        "unknown": "Commune inconnue. Vérifiez l'orthographe ou essayez le code postal.",
        "suggestions": "Commune inconnue. Vouliez-vous dire : %(suggestions)s ?",
        "ambiguous_postal_code": (
            "Le code postal %(postal_code)s correspond à plusieurs communes, précisez laquelle : %(choices)s."
        ),
        "ambiguous": "Plusieurs communes correspondent, précisez laquelle : %(choices)s.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault("help_text", "Nom ou code postal de la commune, par exemple « Saint-Omer (62500) ».")
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        return _UserInput(data)

    def prepare_value(self, value):
        if isinstance(value, _UserInput):
            return str(value)  # la saisie est réaffichée telle quelle
        if isinstance(value, str) and value and (commune := Commune.objects.filter(code=value).first()):
            value = commune  # valeur initiale d'un ModelForm : le code INSEE
        if isinstance(value, Commune):
            return value.label
        return value

    def to_python(self, value):
        if isinstance(value, Commune):
            return value
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        lookup = commune_lookup(value)
        if lookup.commune:
            return lookup.commune
        if lookup.choices:
            digits = value.replace(" ", "")
            if len(digits) == 5 and digits.isdigit():
                raise ValidationError(
                    self.error_messages["ambiguous_postal_code"],
                    code="ambiguous_postal_code",
                    params={"postal_code": digits, "choices": _labels(lookup.choices)},
                )
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"choices": _labels(lookup.choices)}
            )
        if lookup.suggestions:
            raise ValidationError(
                self.error_messages["suggestions"],
                code="suggestions",
                params={"suggestions": _labels(lookup.suggestions[:MAX_SUGGESTIONS])},
            )
        raise ValidationError(self.error_messages["unknown"], code="unknown")

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            commune = self.to_python(data)
        except ValidationError:
            return True
        initial_code = initial.code if isinstance(initial, Commune) else initial or None
        return initial_code != (commune.code if commune else None)
