"""Les tests nommés par docs/analyse-de-risques.md existent vraiment (une mesure sans test ne compte pas)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "analyse-de-risques.md"


def named_tests():
    return sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", DOCUMENT.read_text())))


def test_every_test_named_here_exists():
    tests = named_tests()
    assert len(tests) >= 20
    missing = []
    for path, name in tests:
        file = ROOT / path
        functions = (
            {n.name for n in ast.walk(ast.parse(file.read_text())) if isinstance(n, ast.FunctionDef)}
            if file.exists()
            else set()
        )
        if name not in functions:
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_measure_names_a_test():
    rows = [line for line in DOCUMENT.read_text().splitlines() if line.startswith("| ") and "SS" in line]
    measures = [row for row in rows if row.count("|") == 4 and not row.startswith("| SS")]
    assert measures
    for row in measures:
        assert "`tests/" in row, row
