"""Chaque champ obligatoire dit ce qu'il attend (« Indiquez votre prénom. »), jamais le message générique."""

import importlib
import inspect

import pytest
from django import forms

DJANGO_DEFAULTS = {
    "Ce champ est obligatoire.",
    "This field is required.",
    "Saisissez une valeur valide.",
    "Enter a valid value.",
}
FORM_MODULES = [
    "accounts.forms",
    "backoffice.forms",
    "candidates.forms",
    "employers.forms",
    "matching.forms",
    "offers.forms",
    "privacy.forms",
]


def _forms():
    for name in FORM_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == name and form.base_fields:
                yield form


@pytest.mark.parametrize("form", list(_forms()), ids=lambda form: f"{form.__module__}.{form.__name__}")
def test_required_fields_name_what_is_missing(form):
    generic = [
        name
        for name, field in form.base_fields.items()
        if field.required and str(field.error_messages.get("required")) in DJANGO_DEFAULTS
    ]
    assert not generic, f"{form.__name__} : message générique pour {generic}"
