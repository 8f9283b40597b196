"""La déclaration d'accessibilité tirée de l'audit lui-même : la grille RGAA 4.1 et les poids des pages
(docs/accessibilite/), lues une fois, pour que la page publiée ne puisse pas dire autre chose que l'audit."""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

AUDIT_DIR = Path(settings.BASE_DIR) / "docs" / "accessibilite"
GRID = AUDIT_DIR / "grille-rgaa-4.1.csv"
WEIGHTS = AUDIT_DIR / "poids-des-pages.md"
CRITERIA = 106


@dataclass(frozen=True)
class Audit:
    conform: int
    not_conform: int
    not_applicable: int
    non_conformities: list[dict]

    @property
    def rate(self) -> float:
        """Taux de conformité au sens du RGAA : critères conformes / critères applicables, en pourcentage."""
        applicable = self.conform + self.not_conform
        return round(100 * self.conform / applicable, 1) if applicable else 0.0

    @property
    def state(self) -> str:
        """État de conformité de la déclaration (arrêté du 20 septembre 2019)."""
        if self.not_conform == 0:
            return "totalement conforme"
        return "partiellement conforme" if self.rate >= 50 else "non conforme"


@functools.cache
def rgaa_audit() -> Audit:
    with GRID.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    results = [row["resultat"] for row in rows]
    return Audit(
        conform=results.count("C"),
        not_conform=results.count("NC"),
        not_applicable=results.count("NA"),
        non_conformities=[row for row in rows if row["resultat"] == "NC"],
    )


@functools.cache
def page_weights() -> list[list[str]]:
    """Les lignes du tableau des poids mesurés (scripts/page_weights.py) : page, adresse, poids et requêtes."""
    lines = [line for line in WEIGHTS.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines[2:]]  # sans en-tête
