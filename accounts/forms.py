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

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
