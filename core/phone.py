"""Numéros de téléphone français : validation (bibliothèque phonenumbers) et affichage."""

import phonenumbers
from django.core.exceptions import ValidationError

# Territoires dont les numéros sont français (métropole et outre-mer).
FRENCH_REGIONS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"})


def _french_number(value: str):
    """Le numéro français valide lu dans `value` (métropole ou outre-mer), ou None."""
    try:
        number = phonenumbers.parse((value or "").strip(), "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        return None
    return number


def clean_french_phone(value: str) -> str:
    """Un numéro français valide, au format international (+33…) ; sinon une erreur en français."""
    number = _french_number(value)
    if number is None:
        raise ValidationError(
            "Ce numéro de téléphone français n'est pas valide. Exemple : 06 12 34 56 78.", code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def french_mobile(value: str) -> str | None:
    """Le mobile français lu dans `value`, au format international (+33…), ou None."""
    number = _french_number(value)
    if number is None or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """Affichage « 06 12 34 56 78 » d'un numéro enregistré (international hors de France)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
