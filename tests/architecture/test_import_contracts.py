"""Les contrats d'import (`[tool.importlinter]` de pyproject.toml, lancés par `make lint`) attrapent bien un import
qui enfreint le plan, et couvrent toutes les applications. Que le projet les respecte, c'est `make lint` qui le dit."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-logo", "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def contracts() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def tracked_apps() -> set[str]:
    """Les applications du dépôt : les dossiers de premier niveau qui ont un `apps.py`."""
    files = subprocess.run(["git", "ls-files", "*/apps.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return {path.split("/")[0] for path in files.stdout.split() if path.count("/") == 1}


# Une petite maison faite dans tmp_path, avec le même genre de contrats que le projet : des étages, et des
# voisines d'un même étage (séparées par « : ») déclarées indépendantes.
CONTRACTS = """
[tool.importlinter]
root_packages = ["haut", "gauche", "droite", "bas"]

[[tool.importlinter.contracts]]
name = "Étages"
type = "layers"
layers = ["haut", "gauche : droite", "bas"]

[[tool.importlinter.contracts]]
name = "Voisines"
type = "independence"
modules = ["gauche", "droite"]
"""


def build_house(root: Path, offending: str) -> None:
    (root / "pyproject.toml").write_text(CONTRACTS)
    for package in ("haut", "gauche", "droite", "bas"):
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("")
        (root / package / "services.py").write_text("")
    (root / "haut" / "services.py").write_text("from bas import services\n")
    (root / "gauche" / "services.py").write_text(offending)


@pytest.mark.parametrize(
    ("offending", "broken"),
    [
        # Une flèche qui remonte, écrite dans une fonction : elle compte comme les autres.
        ("def prevenir():\n    from haut import services\n", "gauche.services -> haut.services"),
        # Une voisine qui en importe une autre du même étage.
        ("from droite import services\n", "gauche.services -> droite.services"),
    ],
    ids=["flèche qui remonte", "voisines"],
)
def test_an_import_against_the_plan_is_caught(tmp_path, offending, broken):
    build_house(tmp_path, offending)
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert broken in result.stdout

    (tmp_path / "gauche" / "services.py").write_text("from bas import services\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_contract_of_the_project_is_read_and_checked():
    """Chaque contrat de pyproject.toml est valide et vérifié (tenu ou rompu : ce n'est pas la question ici)."""
    result = lint_imports(ROOT)
    summary = re.search(r"Contracts: (\d+) kept, (\d+) broken\.", result.stdout)
    assert summary, result.stdout + result.stderr
    assert int(summary[1]) + int(summary[2]) == len(contracts()["contracts"])


def test_every_app_is_in_the_plan():
    """Une nouvelle application n'échappe pas aux contrats : elle est lue, placée à un étage, et n'importe pas
    `config`."""
    options = contracts()
    assert set(options["root_packages"]) == tracked_apps()
    by_type = {contract["type"]: contract for contract in options["contracts"]}
    in_layers = {app for layer in by_type["layers"]["layers"] for app in re.split(r"[:|]", layer)}
    assert {app.strip() for app in in_layers} == tracked_apps() - {"config"}
    assert set(by_type["forbidden"]["source_modules"]) == tracked_apps() - {"config"}
    assert set(by_type["acyclic_siblings"]["ancestors"]) == tracked_apps()
