"""La déclaration d'accessibilité dit ce que dit l'audit (grille RGAA 4.1 et poids des pages de docs/accessibilite/)."""

import csv
import re
from collections import Counter

import pytest

from privacy.accessibility import CRITERIA, GRID, page_weights, rgaa_audit
from tests.browser.page_weight import FIRST_VISIT_BUDGET, NEXT_VISIT_BUDGET, sample_pages

THEMES = {
    "1": 9,
    "2": 2,
    "3": 3,
    "4": 13,
    "5": 8,
    "6": 2,
    "7": 5,
    "8": 10,
    "9": 4,
    "10": 14,
    "11": 13,
    "12": 11,
    "13": 12,
}


def test_grid_has_every_rgaa_criterion_once_with_a_result():
    with GRID.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == CRITERIA
    assert Counter(row["critere"].split(".")[0] for row in rows) == THEMES
    assert len({row["critere"] for row in rows}) == CRITERIA
    assert {row["resultat"] for row in rows} <= {"C", "NC", "NA"}
    assert all(row["constat"] for row in rows if row["resultat"] == "NC")


@pytest.mark.django_db
def test_statement_publishes_the_rate_the_non_conformities_and_the_page_weights(client):
    audit = rgaa_audit()
    assert audit.conform + audit.not_conform + audit.not_applicable == CRITERIA
    content = client.get("/accessibilite").content.decode()
    assert f'data-testid="taux">{audit.rate:.1f} %'.replace(".", ",") in content
    assert f'data-testid="etat">{audit.state}<' in content
    assert "non conforme</strong>" not in content or audit.state == "non conforme"
    for criterion in audit.non_conformities:
        assert f"Critère {criterion['critere']} " in content
    assert "Défenseur des droits" in content and "Plan d'action pluriannuel" in content
    assert f"Accessibilité : {audit.state}" in content  # le pied de page dit le même état


def test_published_page_weights_cover_the_sample_within_budget():
    rows = page_weights()
    assert [row[0] for row in rows] == [label for label, _path, _who in sample_pages(0)]

    def size(text):
        return float(re.fullmatch(r"([0-9.]+) Ko", text).group(1)) * 1024

    for label, _path, first, _first_count, following, _next_count in rows:
        assert size(first) < FIRST_VISIT_BUDGET, label
        assert size(following) < NEXT_VISIT_BUDGET, label
