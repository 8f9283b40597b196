from django import forms

from core.forms import BaseForm

CONFIRMATION_WORD = "SUPPRIMER"


class AccountDeleteForm(BaseForm):
    confirmation = forms.CharField(
        label=f"Pour confirmer, écrivez {CONFIRMATION_WORD} en majuscules",
        max_length=20,
        error_messages={"required": f"Écrivez {CONFIRMATION_WORD} pour confirmer la suppression."},
    )

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() != CONFIRMATION_WORD:
            raise forms.ValidationError(f"Écrivez exactement {CONFIRMATION_WORD} pour confirmer la suppression.")
        return value
