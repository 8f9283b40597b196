from django import forms

from core.forms import BaseForm
from matching.enums import NoInterestReason
from offers.enums import ReportReason, ReportTarget


class NoInterestForm(BaseForm):
    """Le motif d'un employeur qui n'est pas intéressé par un profil."""

    reason = forms.ChoiceField(
        label="Pourquoi ?",
        choices=NoInterestReason.choices,
        error_messages={"required": "Choisissez la raison de votre refus."},
    )


class ReportForm(BaseForm):
    """Signaler une offre ou son employeur : un motif dans une liste courte, des précisions si besoin."""

    target = forms.ChoiceField(
        label="Que veux-tu signaler ?",
        choices=ReportTarget.choices,
        widget=forms.RadioSelect,
        initial=ReportTarget.OFFER,
        error_messages={"required": "Choisis ce que tu veux signaler."},
    )
    reason = forms.ChoiceField(
        label="Pourquoi ?",
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisis la raison du signalement."},
    )
    text = forms.CharField(
        label="Précisions",
        help_text=(
            "Ce qui s'est passé, en quelques mots (1 000 caractères au plus). "
            "Seul·es les conseiller·es de la CMA le liront."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
