"""Les imports écrits dans une fonction (imports différés) sont rares, et chacun dit pourquoi.

Un import différé cache une flèche du plan (ARCHITECTURE.md) : il sert à couper un vrai cycle, ou à ne charger
une dépendance lourde ou facultative que si elle sert. Sont lues les applications que vérifient les contrats
d'import (`root_packages` de `[tool.importlinter]`), sans leurs migrations ; les scripts et les bancs, qui
importent Django après l'avoir configuré, n'en sont pas.
"""

import ast
import re
import subprocess
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_DEFERRED_IMPORTS = 8
REASON = re.compile(r"cycle|différé", re.IGNORECASE)


def application_files() -> list[str]:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
    listed = subprocess.run(
        ["git", "ls-files", "--", *(f"{package}/*.py" for package in packages)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [path for path in listed.stdout.split() if "/migrations/" not in path and not path.startswith("tests/")]


def comments_by_line(path: Path) -> dict[int, str]:
    with path.open("rb") as source:
        return {
            token.start[0]: token.string
            for token in tokenize.tokenize(source.readline)
            if token.type == tokenize.COMMENT
        }


def deferred_imports() -> list[tuple[str, int, bool]]:
    """(fichier, ligne, l'import dit-il pourquoi ?) de chaque import écrit dans une fonction."""
    found = []
    for name in application_files():
        path = ROOT / name
        tree = ast.parse(path.read_text(), filename=name)
        comments = comments_by_line(path)
        nodes = {
            node
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
        for node in sorted(nodes, key=lambda node: node.lineno):
            lines = range(node.lineno - 1, node.end_lineno + 1)
            says_why = any(REASON.search(comments.get(line, "")) for line in lines)
            found.append((name, node.lineno, says_why))
    return found


def test_few_deferred_imports():
    found = deferred_imports()
    count = len(found)
    listing = "\n".join(f"{name}:{line}" for name, line, _ in found)
    assert count <= MAX_DEFERRED_IMPORTS, (
        f"{count} imports dans des fonctions (au plus {MAX_DEFERRED_IMPORTS}) : remontez-les en tête du module, "
        f"ou coupez le cycle qui les oblige.\n{listing}"
    )


def test_each_deferred_import_says_why():
    silent = [f"{name}:{line}" for name, line, says_why in deferred_imports() if not says_why]
    assert not silent, (
        "Ces imports dans une fonction n'ont pas de commentaire (sur leur ligne ou celle du dessus) qui dise le "
        "cycle qu'ils coupent ou pourquoi ils sont différés :\n" + "\n".join(silent)
    )
