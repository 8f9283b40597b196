from django import forms

from core.forms import BaseForm
from notifications.enums import EmailKind


class PreferencesForm(BaseForm):
    subscribed = forms.MultipleChoiceField(
        label="Les e-mails que vous recevez",
        help_text="Décochez une sorte pour ne plus la recevoir. Les liens de connexion partent toujours.",
        choices=EmailKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    daily_digest = forms.TypedChoiceField(
        label="Nouveaux profils pour vos offres",
        choices=[("non", "Un e-mail par nouveau profil"), ("oui", "Un résumé par jour")],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, employer: bool = False, candidate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not employer:
            del self.fields["daily_digest"]
        if candidate:  # l'espace des jeunes les tutoie
            self.fields["subscribed"].label = "Les e-mails que tu reçois"
            self.fields[
                "subscribed"
            ].help_text = "Décoche une sorte pour ne plus la recevoir. Les liens de connexion partent toujours."


class PhoneForm(BaseForm):
    phone = forms.CharField(
        label="Numéro de mobile", help_text="Un mobile français. Exemple : 06 12 34 56 78.", max_length=30
    )


class CodeForm(BaseForm):
    code = forms.CharField(label="Code reçu par SMS", help_text="6 chiffres.", max_length=10)


class SmsKindsForm(BaseForm):
    kinds = forms.MultipleChoiceField(
        label="Les messages à recevoir aussi par SMS",
        help_text="Jamais entre 20 h et 8 h, et 3 SMS par jour au plus.",
        choices=[(kind.value, kind.label) for kind in EmailKind if kind != EmailKind.ACCOUNT],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
