"""Un état qui a sa table de transitions ne s'écrit qu'à un endroit : les fonctions de transition de son module.

Le test lit le code de l'application (sans les tests ni les migrations) et cherche les écritures directes de ces
états : `objet.state = …`, `objet.status = …`, `.update(state=…)`, `.update(status=…)`. Une création (état
initial) n'est pas un changement d'état et n'est pas cherchée.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `demo` fabrique d'un coup un passé de démonstration (des centaines de milliers de lignes), comme les fabriques
# des tests : il écrit les états en masse.
NOT_APPLICATION = {"tests", "migrations", "node_modules", "benchmarks", "scripts", "docs", "bin", "demo"}


@dataclass(frozen=True)
class GuardedState:
    label: str
    field: str
    vocabulary: str  # le TextChoices de l'état : une écriture qui le nomme vise cet état
    owner: str  # le module qui porte la table (ou l'unique écriture) de l'état
    writers: frozenset[str]  # ses fonctions qui écrivent l'état en suivant la table


# Les propriétaires, en un seul endroit : à ajuster si un module est renommé ou découpé.
GUARDED = [
    GuardedState(
        "Match.state",
        "state",
        "MatchState",
        "matching/services.py",
        frozenset(
            {"match_candidate_answer", "match_employer_answer", "match_set_outcome", "matches_remind_and_expire"}
        ),
    ),
    GuardedState(
        "Offer.status",
        "status",
        "OfferStatus",
        "offers/services.py",
        frozenset({"_transition", "offer_position_filled"}),
    ),
    # Pas de table pour la situation d'un profil, mais une seule écriture, qui recalcule les paires.
    GuardedState(
        "CandidateProfile.status", "status", "SearchStatus", "candidates/services.py", frozenset({"_set_status"})
    ),
]

# Écritures qui passeraient encore à côté de la table, à supprimer d'ici quand elles la suivront (le test échoue
# si une entrée ne correspond plus à rien). Aucune aujourd'hui.
KNOWN_BYPASSES: set[tuple[str, str, str]] = set()


def application_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or NOT_APPLICATION & set(parts):
            continue
        yield path


def _names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _guarded(field: str, value, target: str = "") -> list[GuardedState]:
    """Les états visés par l'écriture de `value` dans `field` (de l'objet nommé `target`) : ceux dont le
    vocabulaire est nommé, ou que le nom de l'objet désigne ; la table des offres se lit par `next_status` ;
    `state` n'est qu'aux paires."""
    names = _names(value)
    hints = {"OfferStatus": "next_status" in names or "offer" in target, "SearchStatus": "profile" in target}
    found = [g for g in GUARDED if g.field == field and (g.vocabulary in names or hints.get(g.vocabulary))]
    if field == "state" and not found:
        found = [g for g in GUARDED if g.field == "state"]
    return found


class _Writes(ast.NodeVisitor):
    def __init__(self):
        self.function = []
        self.writes = []  # (état, fonction, ligne)

    def visit_FunctionDef(self, node):
        self.function.append(node.name)
        self.generic_visit(node)
        self.function.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _note(self, field, value, line, target=""):
        for guarded in _guarded(field, value, target):
            self.writes.append((guarded, self.function[0] if self.function else "", line))

    def visit_Assign(self, node):
        for target in node.targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr in ("state", "status"):
                    value = node.value
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        value = node.value.elts[target.elts.index(element)]
                    owner = element.value.id.lower() if isinstance(element.value, ast.Name) else ""
                    self._note(element.attr, value, node.lineno, owner)
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            for keyword in node.keywords:
                if keyword.arg in ("state", "status"):
                    self._note(keyword.arg, keyword.value, node.lineno)
        self.generic_visit(node)


def state_writes():
    for path in application_files():
        visitor = _Writes()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        relative = path.relative_to(ROOT).as_posix()
        for guarded, function, line in visitor.writes:
            yield guarded, relative, function, line


def test_guarded_states_are_written_only_by_their_transition_functions():
    outside = [
        f"{path}:{line} ({function or 'module'}) écrit {guarded.label} hors de {guarded.owner}"
        f" ({', '.join(sorted(guarded.writers))})"
        for guarded, path, function, line in state_writes()
        if not (path == guarded.owner and function in guarded.writers)
        and (guarded.label, path, function) not in KNOWN_BYPASSES
    ]
    assert outside == []


def test_owners_and_known_bypasses_still_exist():
    """Un module ou une fonction renommés : la liste ci-dessus est à mettre à jour, sinon elle ne garde plus rien."""
    writes = {(guarded.label, path, function) for guarded, path, function, _line in state_writes()}
    for guarded in GUARDED:
        assert (ROOT / guarded.owner).exists(), guarded.owner
        assert {(guarded.label, guarded.owner, writer) for writer in guarded.writers} <= writes, guarded.label
    assert writes >= KNOWN_BYPASSES


def test_the_detector_sees_direct_writes():
    source = """
def f(offer, profile, match, qs):
    offer.status = OfferStatus.ARCHIVED
    profile.status = SearchStatus.PAUSED
    match.state = target
    qs.update(status=OfferStatus.ARCHIVED, updated_at=now)
    qs.update(state=MatchState.EXPIRED)
    profile.status = status
    email.status = OutboxStatus.SENT
    qs.update(status=OutboxStatus.SENT)
    Offer.objects.create(status=OfferStatus.DRAFT)
"""
    visitor = _Writes()
    visitor.visit(ast.parse(source))
    assert [(guarded.label, line) for guarded, _function, line in visitor.writes] == [
        ("Offer.status", 3),
        ("CandidateProfile.status", 4),
        ("Match.state", 5),
        ("Offer.status", 6),
        ("Match.state", 7),
        ("CandidateProfile.status", 8),
    ]
