import pytest
from django.core.exceptions import ValidationError

from employers import validators


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("73282932000074", "73282932000074"),
        ("732 829 320 00074", "73282932000074"),
        ("35600000000048", "35600000000048"),
    ],
)
def test_valid_sirets_including_la_poste(value, expected):
    assert validators.clean_siret(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("732829320000", "Le SIRET doit compter 14 chiffres (vous en avez saisi 12)."),
        ("7328293200007412", "Le SIRET doit compter 14 chiffres (vous en avez saisi 16)."),
        ("73282932000075", "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle)."),
        ("7328293200007A", "Le SIRET ne contient que des chiffres (14 chiffres, sans lettres)."),
    ],
)
def test_invalid_sirets_have_precise_messages(value, message):
    with pytest.raises(ValidationError) as error:
        validators.clean_siret(value)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("value", "expected"), [("10.71C", "10.71C"), ("1071c", "10.71C"), (" 43.22a ", "43.22A"), ("", "")]
)
def test_naf_codes(value, expected):
    assert validators.clean_naf(value) == expected


@pytest.mark.parametrize("value", ["10.71", "1071CC", "A0.71C"])
def test_invalid_naf_codes(value):
    with pytest.raises(ValidationError, match="10.71C"):
        validators.clean_naf(value)
