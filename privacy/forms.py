from django import forms

from core.forms import BaseForm

CONFIRMATION_WORD = "SUPPRIMER"


class AccountDeleteForm(BaseForm):
    """`tu=True` : la même chose, dite à un·e jeune."""

    confirmation = forms.CharField(
        label=f"Pour confirmer, écrivez {CONFIRMATION_WORD} en majuscules",
        max_length=20,
        error_messages={"required": f"Écrivez {CONFIRMATION_WORD} pour confirmer la suppression."},
    )

    def __init__(self, *args, tu=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tu = tu
        if tu:
            field = self.fields["confirmation"]
            field.label = f"Pour confirmer, écris {CONFIRMATION_WORD} en majuscules"
            self["confirmation"].label = field.label  # le champ lié est déjà créé par le formulaire DSFR
            field.error_messages = {**field.error_messages, "required": f"Écris {CONFIRMATION_WORD} pour confirmer."}

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() != CONFIRMATION_WORD:
            verb = "Écris" if self.tu else "Écrivez"
            raise forms.ValidationError(f"{verb} exactement {CONFIRMATION_WORD} pour confirmer la suppression.")
        return value
