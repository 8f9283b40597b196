"""Validation des identifiants des entreprises, avec des messages précis."""

import re

from django.core.exceptions import ValidationError
from stdnum.fr import siret as stdnum_siret

NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


def clean_siret(value: str) -> str:
    """Le SIRET sans espaces ; erreur précise si la longueur ou la clé de contrôle est fausse."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not digits.isdigit():
        raise ValidationError("Le SIRET ne contient que des chiffres (14 chiffres, sans lettres).", code="format")
    if len(digits) != 14:
        raise ValidationError(f"Le SIRET doit compter 14 chiffres (vous en avez saisi {len(digits)}).", code="length")
    if not stdnum_siret.is_valid(digits):  # clé de Luhn ; les SIRET de La Poste (356000000…) sont acceptés
        raise ValidationError("Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle).", code="checksum")
    return digits


def clean_naf(value: str) -> str:
    """Code NAF/APE normalisé « 10.71C » ; vide accepté."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    match = NAF_RE.match(value)
    if not match:
        raise ValidationError("Le code NAF/APE s'écrit avec 4 chiffres et une lettre, par exemple 10.71C.", code="naf")
    return f"{match[1]}.{match[2]}{match[3]}"
