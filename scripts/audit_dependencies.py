"""`make audit` : cherche les vulnérabilités connues des dépendances figées (pip-audit, base de PyPI).

Rien n'est installé : pip-audit lit `requirements-dev.txt` (toutes les dépendances, avec leurs empreintes).
Une vulnérabilité trouvée fait échouer la commande. Si la base des vulnérabilités ne répond pas (machine
sans accès, miroir qui ne la sert pas), une ligne le dit et la commande réussit : l'audit se fait là où
la base est joignable (poste de développement, CI qui y a accès).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKED = ROOT / "requirements-dev.txt"
UNREACHABLE = "Audit des dépendances non fait : la base des vulnérabilités (PyPI) ne répond pas d'ici."


def verdict(report: dict | None) -> tuple[int, list[str]]:
    """Code de sortie et lignes à afficher, d'après le rapport JSON de pip-audit (None : pas de rapport)."""
    if report is None or not report.get("dependencies"):
        return 0, [UNREACHABLE]
    dependencies = report["dependencies"]
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    if vulnerable:
        lines = []
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "aucune version corrigée"
                lines.append(f"Vulnérabilité : {dep['name']} {dep['version']} : {vuln['id']} (corrigée dans {fixed})")
        return 1, lines
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    if len(skipped) == len(dependencies):
        return 0, [UNREACHABLE]
    if skipped:
        names = ", ".join(dep["name"] for dep in skipped)
        return 0, [f"Audit des dépendances : aucune vulnérabilité connue ; non vérifiés : {names}."]
    return 0, [f"Audit des dépendances : aucune vulnérabilité connue ({len(dependencies)} paquets)."]


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--progress-spinner", "off", "-f", "json"]
    try:
        result = subprocess.run([*command, "-r", str(LOCKED)], capture_output=True, text=True, timeout=600, check=False)
        report = json.loads(result.stdout)
    except (subprocess.TimeoutExpired, ValueError):
        report = None
    code, lines = verdict(report)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
