from django import forms
from dsfr.forms import DsfrBaseForm


class BaseForm(DsfrBaseForm):
    """Formulaire DSFR du service : les champs facultatifs sont signalés, pas les obligatoires."""

    def get_context(self):
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
