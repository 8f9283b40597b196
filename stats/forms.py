from django import forms

from core.forms import BaseForm
from stats.selectors import Scope
from trades.catalogue import FAMILIES


class ScopeForm(BaseForm):
    """Le périmètre des statistiques (paramètres GET de /stats et des données ouvertes)."""

    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    famille = forms.ChoiceField(
        label="Famille de métiers", required=False, choices=[("", "Toutes les familles"), *FAMILIES]
    )

    def __init__(self, *args, regions: dict[str, str], departements: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes les régions"), *regions.items()]
        self.fields["departement"].choices = [
            ("", "Tous les départements"),
            *((code, f"{code} — {name}") for code, (name, _region) in departements.items()),
        ]
        self.departements = departements

    def clean(self):
        cleaned = super().clean()
        departement, region = cleaned.get("departement"), cleaned.get("region")
        if departement and region and self.departements[departement][1] != region:
            self.add_error("departement", "Ce département n'est pas dans la région choisie.")
        return cleaned

    def scope(self) -> Scope:
        """Le périmètre choisi ; la France entière si le formulaire est invalide."""
        if not self.is_valid():
            return Scope()
        departement = self.cleaned_data["departement"]
        region = self.departements[departement][1] if departement else self.cleaned_data["region"]
        return Scope(region=region, departement=departement, family=self.cleaned_data["famille"])
