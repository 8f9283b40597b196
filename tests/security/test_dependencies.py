"""Dépendances figées avec leurs empreintes : `pip install --require-hashes` refuse tout paquet modifié
ou substitué sur le registre. Les fichiers figés se régénèrent par `make lock`."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKED = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}


def logical_lines(path: Path) -> list[str]:
    """Les lignes du fichier, continuations (`\\`) jointes, sans commentaires ni lignes vides."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (" ".join(line.split(" #")[0].split()) for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


@pytest.mark.parametrize("locked", sorted(LOCKED.values()))
def test_every_locked_requirement_is_pinned_with_a_hash(locked):
    lines = logical_lines(ROOT / locked)
    assert lines
    unhashed = [line for line in lines if not re.match(r"^[A-Za-z0-9._-]+==\S+( --hash=sha256:[0-9a-f]{64})+$", line)]
    assert unhashed == [], f"{locked} : lignes sans version exacte ou sans empreinte ; lancez `make lock`"


@pytest.mark.parametrize("source", sorted(LOCKED))
def test_every_direct_dependency_is_pinned_and_locked(source):
    """Une dépendance ajoutée à un `.in` sans `make lock` fait échouer la suite."""
    direct = [line for line in logical_lines(ROOT / source) if not line.startswith("-")]
    assert [line for line in direct if "==" not in line] == [], f"{source} : figez chaque dépendance avec =="
    locked = {name(line): line.split(" ")[0].split("==")[1] for line in logical_lines(ROOT / LOCKED[source])}
    for line in direct:
        pinned = line.split("==")[1].split(";")[0].strip()
        assert locked.get(name(line)) == pinned, f"{line} absent de {LOCKED[source]} : lancez `make lock`"


def test_the_makefile_installs_with_require_hashes_and_audits_in_make_test():
    makefile = (ROOT / "Makefile").read_text()
    installs = re.findall(r"pip install[^\n]*-r requirements[-\w]*\.txt", makefile)
    assert installs and all("--require-hashes" in line for line in installs)
    assert re.search(r"^test:.*\baudit\b", makefile, re.M)
    assert re.search(r"^lock:", makefile, re.M)


def _audit():
    import importlib.util

    spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_audit_fails_on_a_known_vulnerability_and_says_when_the_database_is_unreachable():
    audit = _audit()
    vulnerable = {
        "dependencies": [
            {"name": "django", "version": "4.2.0", "vulns": [{"id": "PYSEC-2023-61", "fix_versions": ["4.2.1"]}]},
            {"name": "numpy", "version": "2.5.5", "vulns": []},
        ]
    }
    code, lines = audit.verdict(vulnerable)
    assert code == 1 and lines == ["Vulnérabilité : django 4.2.0 : PYSEC-2023-61 (corrigée dans 4.2.1)"]
    clean = {"dependencies": [{"name": "numpy", "version": "2.5.5", "vulns": []}]}
    assert audit.verdict(clean) == (0, ["Audit des dépendances : aucune vulnérabilité connue (1 paquets)."])
    # Miroir sans la base (PyPI répond 404 pour chaque paquet) ou aucun réseau : une ligne, pas un échec.
    skipped = {"dependencies": [{"name": "numpy", "skip_reason": "Dependency not found on PyPI"}]}
    assert audit.verdict(skipped) == (0, [audit.UNREACHABLE])
    assert audit.verdict(None) == (0, [audit.UNREACHABLE])
