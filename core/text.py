"""Outils de texte partagés."""

import re
import unicodedata

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SAINT = re.compile(r"\b(st|ste)\b")


def normalize_search(text: str) -> str:
    """Forme de recherche : sans accents ni casse, tirets et apostrophes comme des espaces,
    « st »/« ste » lus « saint »/« sainte »."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = _NON_ALNUM.sub(" ", text).strip()
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", text)
