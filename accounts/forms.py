from django import forms

from core.forms import BaseForm


class LoginForm(BaseForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="Format attendu : nom@domaine.fr",
        error_messages={
            "required": "Indiquez votre adresse e-mail.",
            "invalid": "Cette adresse e-mail n'est pas valide.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, tu=False, **kwargs):
        """`tu=True` : le message dit à un·e jeune."""
        super().__init__(*args, **kwargs)
        if tu:
            field = self.fields["email"]
            field.error_messages = {**field.error_messages, "required": "Indique ton adresse e-mail."}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
