import pytest
from django.core.exceptions import ValidationError

from core.phone import clean_french_phone, format_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [("06 12 34 56 78", "+33612345678"), ("+33 3 21 00 00 00", "+33321000000")],
)
def test_french_phones_are_stored_in_international_format(value, expected):
    assert clean_french_phone(value) == expected


@pytest.mark.parametrize("value", ["06 12", "bonjour", "00 00 00 00 00", "+44 20 7946 0958", ""])
def test_other_phones_are_refused_in_french(value):
    with pytest.raises(ValidationError, match="Exemple : 06 12 34 56 78"):
        clean_french_phone(value)


def test_format_phone():
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+262692123456").startswith("+262")
    assert format_phone("") == ""
