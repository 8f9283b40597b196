import pytest

from core.text import normalize_search


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Omer", "saint omer"),
        ("st omer", "saint omer"),
        ("ST-OMER", "saint omer"),
        ("Ste Catherine", "sainte catherine"),
        ("L'Abergement-Clémenciat", "l abergement clemenciat"),
        ("  Amiens ", "amiens"),
        ("Stenay", "stenay"),
    ],
)
def test_normalize_search(text, expected):
    assert normalize_search(text) == expected
