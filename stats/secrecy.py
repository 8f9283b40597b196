"""Secret statistique : masquage primaire et secondaire des comptes publiés sur /stats.

Les comptes publiés forment un cube : zone (France, régions, départements) × famille de métiers (toutes, ou
une) × mois (depuis le début, ou un mois) × indicateur. Chaque case du cube est publiée par au moins un
périmètre de la page, des données ouvertes ou de l'API. Entre ces cases valent des égalités « total = somme
des parties » :
- France = somme des régions (+ lieu inconnu), région = somme de ses départements ;
- depuis le début = somme des mois (indicateurs qui ont une série mensuelle) ;
- toutes familles = somme des familles, pour les indicateurs où une chose n'a qu'une famille (offres, mises
  en relation) ; une ou un candidat·e (une entreprise) peut viser plusieurs familles : pas d'égalité là.

Masquage primaire : une case de 1 à 4. Masquage secondaire : tant qu'une égalité n'a qu'une seule case
masquée (on la retrouverait par soustraction), on masque aussi sa plus petite autre case non nulle (une
partie plutôt que le total) ; on recommence sur toutes les égalités jusqu'à ce que plus rien ne change.
Enfin une vérification exacte (algèbre linéaire) : une case masquée que l'ensemble des égalités suffit à
calculer fait masquer une case de plus, puis on recommence. Ce qui reste de part et d'autre est publié.
"""

import logging
from collections import defaultdict

import numpy as np

from stats.enums import ADDITIVE_BY_FAMILY, COUNT_INDICATORS, SECRECY_THRESHOLD, SNAPSHOT_INDICATORS

logger = logging.getLogger(__name__)

# Au-delà de ce nombre de cases masquées liées entre elles, la vérification exacte (une décomposition de
# matrice de cette taille, en O(n³)) serait trop longue pour le recalcul horaire : on garde la seule règle
# « jamais une seule case masquée par égalité » et on le signale dans le journal.
EXACT_CHECK_LIMIT = 2000
FRANCE = "fr"
ALL_FAMILIES = ""
ALL_MONTHS = None
COUNTED = [indicator.value for indicator in COUNT_INDICATORS]


def zone_key(*, region: str = "", departement: str = "") -> str:
    """La clé d'une zone du cube : « fr », « r32 » ou « d62 »."""
    if departement:
        return f"d{departement}"
    if region:
        return f"r{region}"
    return FRANCE


def cube(rows) -> tuple[dict[tuple, int], dict[str, str]]:
    """Les cases du cube {(indicateur, zone, famille, mois): valeur} tirées des agrégats (indicateurs de
    comptage), et la région de chaque département {code: région}."""
    cells: dict[tuple, int] = defaultdict(int)
    parents: dict[str, str] = {}
    for row in rows:
        if row.indicator not in COUNTED or not row.value:
            continue
        zones = [FRANCE]
        if row.region:
            zones.append(zone_key(region=row.region))
        if row.departement:
            zones.append(zone_key(departement=row.departement))
            parents[row.departement] = row.region
        months = [ALL_MONTHS] if row.month is None else [ALL_MONTHS, row.month]
        for zone in zones:
            for month in months:
                cells[(row.indicator, zone, row.family, month)] += row.value
    return dict(cells), parents


def groups(cells: dict[tuple, int], parents: dict[str, str]) -> list[tuple[tuple, list[tuple]]]:
    """Les égalités « total = somme des parties » entre cases non nulles : (total, parties)."""
    children: dict[tuple, set] = defaultdict(set)
    for indicator, zone, family, month in cells:
        if zone.startswith("d"):
            region = parents.get(zone[1:], "")
            if region:
                children[(indicator, zone_key(region=region), family, month)].add((indicator, zone, family, month))
        elif zone.startswith("r"):
            children[(indicator, FRANCE, family, month)].add((indicator, zone, family, month))
        if month is not ALL_MONTHS and indicator not in SNAPSHOT_INDICATORS:
            children[(indicator, zone, family, ALL_MONTHS)].add((indicator, zone, family, month))
        if family != ALL_FAMILIES and indicator in ADDITIVE_BY_FAMILY:
            children[(indicator, zone, ALL_FAMILIES, month)].add((indicator, zone, family, month))
    # Une case « total » et ses parties, chacune de ces deux listes triée pour un résultat reproductible.
    by_dimension: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for parent, parts in children.items():
        for part in parts:
            by_dimension[parent][_dimension(parent, part)].append(part)
    return [
        (parent, sorted(parts, key=_order))
        for parent in sorted(by_dimension, key=_order)
        for _dim, parts in sorted(by_dimension[parent].items())
    ]


def _dimension(parent: tuple, part: tuple) -> str:
    if parent[1] != part[1]:
        return "zone"
    if parent[3] != part[3]:
        return "mois"
    return "famille"


def _order(cell: tuple) -> tuple:
    indicator, zone, family, month = cell
    return (indicator, zone, family, month.isoformat() if month else "")


def primary(cells: dict[tuple, int]) -> set[tuple]:
    return {cell for cell, value in cells.items() if 0 < value < SECRECY_THRESHOLD}


def _complete(cells, equalities, masked: set[tuple]) -> None:
    """Masquage secondaire : aucune égalité ne garde une seule case masquée."""
    changed = True
    while changed:
        changed = False
        for parent, parts in equalities:
            hidden = (parent in masked) + sum(part in masked for part in parts)
            if hidden != 1:
                continue
            choices = [part for part in parts if part not in masked and cells.get(part, 0) > 0]
            if choices:
                masked.add(min(choices, key=lambda cell: (cells[cell], _order(cell))))
            else:
                masked.add(parent)
            changed = True


def recoverable(equalities, masked: set[tuple]) -> set[tuple]:
    """Les cases masquées qu'on peut calculer à partir des cases publiées et des égalités : celles dont la
    coordonnée est nulle dans tout le noyau du système restreint aux inconnues (les cases masquées)."""
    unknowns = sorted(masked, key=_order)
    position = {cell: index for index, cell in enumerate(unknowns)}
    rows = []
    for parent, parts in equalities:
        row = {}
        if parent in position:
            row[position[parent]] = 1.0
        for part in parts:
            if part in position:
                row[position[part]] = -1.0
        if row:
            rows.append(row)
    if not rows:
        return set()
    # Les inconnues se séparent en composantes indépendantes : une décomposition par composante.
    components = _components(len(unknowns), rows)
    found = set()
    for columns, equations in components:
        if len(columns) > EXACT_CHECK_LIMIT:
            logger.warning("Secret statistique : %s cases masquées liées, vérification exacte omise", len(columns))
            continue
        index = {column: i for i, column in enumerate(columns)}
        matrix = np.zeros((len(equations), len(columns)))
        for line, row in enumerate(equations):
            for column, coefficient in row.items():
                matrix[line, index[column]] = coefficient
        # Le noyau de la matrice : les vecteurs propres de sa matrice de Gram de valeur propre nulle.
        eigenvalues, eigenvectors = np.linalg.eigh(matrix.T @ matrix)
        kernel = eigenvectors[:, eigenvalues < 1e-8]
        # Distance de la case à l'espace des combinaisons d'égalités : nulle, la case se calcule.
        distances = np.linalg.norm(kernel, axis=1)
        found.update(unknowns[column] for i, column in enumerate(columns) if distances[i] < 1e-6)
    return found


def _components(size: int, rows: list[dict[int, float]]):
    parent = list(range(size))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        first, *others = row
        for other in others:
            parent[find(other)] = find(first)
    columns: dict[int, list[int]] = defaultdict(list)
    equations: dict[int, list[dict]] = defaultdict(list)
    for column in range(size):
        columns[find(column)].append(column)
    for row in rows:
        equations[find(next(iter(row)))].append(row)
    return [(columns[root], equations[root]) for root in columns if equations[root]]


def _widen(cell, cells, equalities, touching, masked: set[tuple]) -> tuple | None:
    """La plus petite case publiée non nulle d'une égalité proche de `cell` : d'abord les siennes, puis celles
    des cases masquées qu'elles contiennent, et ainsi de suite (une partie plutôt qu'un total)."""
    seen_cells, seen_groups, frontier = {cell}, set(), [cell]
    while frontier:
        current = frontier.pop(0)
        for index in touching[current]:
            if index in seen_groups:
                continue
            seen_groups.add(index)
            parent, parts = equalities[index]
            members = [parent, *parts]
            choices = [member for member in members if member not in masked and cells.get(member, 0) > 0]
            if choices:
                return min(choices, key=lambda c: (c == parent, cells[c], _order(c)))
            for member in members:
                if member in masked and member not in seen_cells:
                    seen_cells.add(member)
                    frontier.append(member)
    return None


def masked_cells(rows) -> set[tuple]:
    """Les cases à masquer (primaires et secondaires) pour ces agrégats."""
    cells, parents = cube(rows)
    equalities = groups(cells, parents)
    touching: dict[tuple, list[int]] = defaultdict(list)
    for index, (parent, parts) in enumerate(equalities):
        for member in (parent, *parts):
            touching[member].append(index)
    masked = primary(cells)
    _complete(cells, equalities, masked)
    while found := recoverable(equalities, masked):
        # Une case qu'on recalcule encore : on masque une case publiée d'une égalité proche, puis on recommence.
        added = {_widen(cell, cells, equalities, touching, masked) for cell in sorted(found, key=_order)} - {None}
        if not added:  # plus rien de publié autour (des zéros) : rien d'autre à masquer
            break
        masked |= added
        _complete(cells, equalities, masked)
    return masked
