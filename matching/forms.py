from django import forms

from core.forms import BaseForm
from matching.enums import NoInterestReason


class NoInterestForm(BaseForm):
    """Le motif d'un employeur qui n'est pas intéressé par un profil."""

    reason = forms.ChoiceField(
        label="Pourquoi ?",
        choices=NoInterestReason.choices,
        error_messages={"required": "Choisissez la raison de votre refus."},
    )
