"""Le parcours (profils, paires, contacts, contrats) et la carte par département de la page /stats.

Lus dans les agrégats seulement (`stats.services.stats_refresh` les calcule) et soumis au même secret
statistique que le reste de la page : un compte masqué dans `MaskedCell` l'est ici aussi, un taux l'est si l'un
de ses deux comptes l'est ou si sa base compte moins de 5, une médiane si elle porte sur moins de 5 cas.
"""

import dataclasses
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import formats

from stats.enums import PER_POPULATION, RATES, SECRECY_THRESHOLD, UNITS, Indicator
from stats.models import Aggregate, MaskedCell
from stats.secrecy import ALL_MONTHS, zone_key
from stats.selectors import (
    _SECRET,
    CACHE_SECONDS,
    Figure,
    Scope,
    _month_range,
    _number,
    _plain,
    cache_key,
    child_zone_labels,
    count_figure,
    median_figure,
    month_label,
    open_data_rows,
)
from stats.tilemap import TILES
from trades.catalogue import FAMILIES, FAMILY_LABELS

# Les étapes du parcours : (compte, taux depuis l'étape précédente, délai depuis l'étape précédente).
STEPS = [
    (Indicator.CANDIDATES, None, None),
    (Indicator.CANDIDATES_MATCHED, Indicator.PAIR_RATE, Indicator.FIRST_PAIR_DELAY),
    (Indicator.MATCHES, None, None),
    (Indicator.CONTACTS, Indicator.CONTACT_RATE, Indicator.CONTACT_DELAY),
    (Indicator.CONTRACTS, Indicator.CONTRACT_RATE, Indicator.CONTRACT_DELAY),
]
STEP_LABELS = {
    Indicator.CANDIDATES: "Profils créés",
    Indicator.CANDIDATES_MATCHED: "Profils qui ont reçu une mise en relation",
    Indicator.MATCHES: "Mises en relation proposées",
    Indicator.CONTACTS: "Contacts établis (intérêt des deux côtés)",
    Indicator.CONTRACTS: "Contrats signés",
}
FUNNEL_COUNTS = [step[0] for step in STEPS]
FUNNEL_DELAYS = [step[2] for step in STEPS if step[2]]
# La carte : ce qu'on rapporte à la population de chaque département.
MAP_INDICATORS = [Indicator.OFFERS_PUBLISHED, Indicator.CANDIDATES, Indicator.CONTRACTS]


def rate_figure(indicator: str, numerator: int, denominator: int, *, masked: bool = False) -> Figure:
    """Un taux du parcours, en pourcentage ; masqué comme une part (stats.selectors.share_figure)."""
    if denominator == 0:
        return Figure(indicator, None, "", "—")
    if masked or denominator < SECRECY_THRESHOLD or 0 < numerator < SECRECY_THRESHOLD:
        return Figure(indicator, **_SECRET)
    rate = round(100 * numerator / denominator, 1)
    return Figure(indicator, rate, _plain(rate), f"{_number(rate)} %")


def _median(indicator: str, histogram: dict[int, int]) -> Figure:
    return dataclasses.replace(median_figure(histogram), indicator=indicator)


@dataclass
class Step:
    code: str
    label: str
    count: Figure
    rate: Figure | None
    delay: Figure | None


@dataclass
class FunnelRow:
    """Le parcours d'une case : un mois, une zone ou une famille de métiers."""

    code: str
    label: str
    steps: list[Step]


@dataclass
class Funnel:
    scope: Scope
    total: FunnelRow
    months: list[FunnelRow]
    zone_kind: str
    by_zone: list[FunnelRow]
    by_family: list[FunnelRow]
    filled_share: Figure


def _steps(counts: dict[str, int], histograms: dict[str, dict[int, int]], masked: set[str]) -> list[Step]:
    steps = []
    for count_indicator, rate_indicator, delay_indicator in STEPS:
        count = count_figure(count_indicator.value, counts.get(count_indicator, 0), masked=count_indicator in masked)
        rate = delay = None
        if rate_indicator:
            numerator, denominator = RATES[rate_indicator]
            rate = rate_figure(
                rate_indicator.value,
                counts.get(numerator, 0),
                counts.get(denominator, 0),
                masked=bool({numerator.value, denominator.value} & masked),
            )
        if delay_indicator:
            delay = _median(delay_indicator.value, histograms.get(delay_indicator, {}))
        steps.append(Step(count_indicator.value, STEP_LABELS[count_indicator], count, rate, delay))
    return steps


def _grouped(aggregates, key: str | None):
    """{clé: ({indicateur: compte}, {indicateur: {jours: nombre}})} lus en deux requêtes GROUP BY."""
    names = [key] if key else []
    counts_rows = (
        aggregates.filter(indicator__in=FUNNEL_COUNTS + [Indicator.OFFERS_PUBLISHED, Indicator.OFFERS_FILLED])
        .values(*names, "indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    delay_rows = (
        aggregates.filter(indicator__in=FUNNEL_DELAYS)
        .values(*names, "indicator", "days")
        .annotate(total=Sum("value"))
        .order_by()
    )
    result: dict = {}
    for row in counts_rows:
        counts, _ = result.setdefault(row[key] if key else "", ({}, {}))
        counts[row["indicator"]] = row["total"]
    for row in delay_rows:
        _, histograms = result.setdefault(row[key] if key else "", ({}, {}))
        histograms.setdefault(row["indicator"], {})[row["days"]] = row["total"]
    return result


def funnel_report(scope: Scope, *, labels) -> Funnel:
    """Le parcours pour un périmètre : total, mois par mois, par zone et par famille de métiers."""
    regions, departements = labels
    here = zone_key(region=scope.region, departement=scope.departement)
    aggregates = Aggregate.objects.filter(scope.aggregate_filter())
    zone_kind, child_labels = child_zone_labels(scope, regions, departements)
    child_zones = {zone_key(**{zone_kind: code}): code for code in child_labels} if zone_kind else {}

    masked: dict[tuple, set[str]] = {}
    condition = Q(zone=here) | Q(zone__in=list(child_zones), family=scope.family, month__isnull=True)
    for indicator, zone, family, month in MaskedCell.objects.filter(
        condition, indicator__in=FUNNEL_COUNTS + [Indicator.OFFERS_PUBLISHED, Indicator.OFFERS_FILLED]
    ).values_list("indicator", "zone", "family", "month"):
        masked.setdefault((zone, family, month), set()).add(indicator)

    def masked_at(zone=here, family=scope.family, month=ALL_MONTHS):
        return masked.get((zone, family, month), set())

    totals = _grouped(aggregates, None).get("", ({}, {}))
    total = FunnelRow("", "Depuis le début", _steps(*totals, masked_at()))
    by_month = _grouped(aggregates.filter(month__isnull=False), "month")
    present = sorted(by_month)
    months = []
    if present:
        for month in _month_range(present[0], present[-1]):
            counts, histograms = by_month.get(month, ({}, {}))
            months.append(
                FunnelRow(
                    month.strftime("%Y-%m"), month_label(month), _steps(counts, histograms, masked_at(month=month))
                )
            )
    by_zone = []
    if zone_kind:
        grouped = _grouped(aggregates.exclude(**{zone_kind: ""}), zone_kind)
        for code, label in child_labels.items():
            counts, histograms = grouped.get(code, ({}, {}))
            by_zone.append(
                FunnelRow(code, label, _steps(counts, histograms, masked_at(zone=zone_key(**{zone_kind: code}))))
            )
    by_family = []
    if not scope.family:
        family_aggregates = Aggregate.objects.filter(scope.aggregate_filter(with_family=False)).exclude(family="")
        grouped = _grouped(family_aggregates, "family")
        for code, label in FAMILIES:
            counts, histograms = grouped.get(code, ({}, {}))
            by_family.append(FunnelRow(code, label, _steps(counts, histograms, masked_at(family=code))))
    counts = totals[0]
    filled_masked = {Indicator.OFFERS_FILLED.value, Indicator.OFFERS_PUBLISHED.value} & masked_at()
    filled_share = rate_figure(
        Indicator.FILLED_SHARE.value,
        counts.get(Indicator.OFFERS_FILLED, 0),
        counts.get(Indicator.OFFERS_PUBLISHED, 0),
        masked=bool(filled_masked),
    )
    return Funnel(scope, total, months, zone_kind, by_zone, by_family, filled_share)


# --- La carte par département ------------------------------------------------------------------------


@dataclass
class MapCell:
    code: str
    name: str
    column: int
    row: int
    counts: dict[str, Figure]
    rates: dict[str, Figure]
    level: int  # classe de couleur (0 : pas de chiffre, 1 à 5)
    population: int = 0


def departement_population() -> dict[str, int]:
    """Population de chaque département, rangée avec les agrégats (`stats.services.population_rows`)."""
    return dict(Aggregate.objects.filter(indicator=Indicator.POPULATION).values_list("departement", "value").order_by())


def per_population_figure(indicator: str, count: Figure, value: int, population: int) -> Figure:
    """Un compte rapporté à 10 000 habitants ; masqué si le compte l'est."""
    if count.is_secret:
        return Figure(indicator, **_SECRET)
    if not population:
        return Figure(indicator, None, "", "—")
    # Deux décimales : dans un département peuplé, quelques contrats font moins de 0,1 pour 10 000 habitants.
    rate = round(PER_POPULATION * value / population, 2)
    data = f"{rate:.2f}".rstrip("0").rstrip(".")
    return Figure(indicator, rate, data, formats.number_format(rate, decimal_pos=2, force_grouping=True))


def departement_map(*, family: str, labels, population: dict[str, int], colour_by=Indicator.CONTRACTS) -> list[MapCell]:
    """Chaque département (outre-mer compris), depuis le début : offres, candidat·es, contrats, et les mêmes
    pour 10 000 habitants, pour une famille de métiers (vide : toutes)."""
    _regions, departements = labels
    rows = (
        Aggregate.objects.filter(family=family, indicator__in=MAP_INDICATORS)
        .exclude(departement="")
        .values("departement", "indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["departement"], {})[row["indicator"]] = row["total"]
    masked: dict[str, set[str]] = {}
    for indicator, zone in MaskedCell.objects.filter(
        zone__startswith="d", family=family, month__isnull=True, indicator__in=MAP_INDICATORS
    ).values_list("indicator", "zone"):
        masked.setdefault(zone[1:], set()).add(indicator)
    cells = []
    for code, (name, _region) in departements.items():
        if code not in TILES:
            continue
        here = counts.get(code, {})
        figures = {
            indicator.value: count_figure(
                indicator.value, here.get(indicator, 0), masked=indicator in masked.get(code, ())
            )
            for indicator in MAP_INDICATORS
        }
        rates = {
            indicator.value: per_population_figure(
                indicator.value, figures[indicator.value], here.get(indicator, 0), population.get(code, 0)
            )
            for indicator in MAP_INDICATORS
        }
        column, row = TILES[code]
        cells.append(MapCell(code, name, column, row, figures, rates, 0, population.get(code, 0)))
    _colour(cells, colour_by.value)
    return cells


def _colour(cells: list[MapCell], indicator: str) -> None:
    """Cinq classes de même effectif (quantiles) parmi les départements qui ont un chiffre publié."""
    values = sorted(cell.rates[indicator].value for cell in cells if cell.rates[indicator].value is not None)
    if not values:
        return
    bounds = [values[min(len(values) - 1, len(values) * step // 5)] for step in range(1, 5)]
    for cell in cells:
        value = cell.rates[indicator].value
        if value is not None:
            cell.level = 1 + sum(value > bound for bound in bounds)


def map_legend(cells: list[MapCell], indicator: str) -> list[tuple[int, str]]:
    """Les classes de couleur de la carte : (classe, « de x à y »)."""
    by_level: dict[int, list[float]] = {}
    for cell in cells:
        value = cell.rates[indicator].value
        if value is not None and cell.level:
            by_level.setdefault(cell.level, []).append(value)
    return [
        (level, f"de {_number(min(values))} à {_number(max(values))}") for level, values in sorted(by_level.items())
    ]


def funnel_open_data_rows(funnel: Funnel, cells: list[MapCell], *, zone, zone_name: str, family) -> list[dict]:
    """Les lignes « parcours » et « carte » des données ouvertes (mêmes colonnes que `open_data_rows`)."""

    def row(section, month, zone_, zone_label, figure, family_=family):
        return {
            "section": section,
            "mois": month,
            "zone_type": zone_[0],
            "zone_code": zone_[1],
            "zone_nom": zone_label,
            "famille_code": family_[0],
            "famille_nom": family_[1],
            "indicateur": figure.indicator,
            "unite": UNITS.get(figure.indicator, "nombre"),
            "valeur": figure.data,
        }

    def figures(steps):
        for step in steps:
            yield step.count
            if step.rate:
                yield step.rate
            if step.delay:
                yield step.delay

    rows = [row("parcours", "", zone, zone_name, figure) for figure in figures(funnel.total.steps)]
    for month in funnel.months:
        rows += [row("parcours", month.code, zone, zone_name, figure) for figure in figures(month.steps)]
    for zone_row in funnel.by_zone:
        rows += [
            row("parcours", "", (funnel.zone_kind, zone_row.code), zone_row.label, figure)
            for figure in figures(zone_row.steps)
        ]
    for family_row in funnel.by_family:
        rows += [
            row("parcours", "", zone, zone_name, figure, family_=(family_row.code, family_row.label))
            for figure in figures(family_row.steps)
        ]
    for cell in cells:
        where = ("departement", cell.code)
        for indicator in MAP_INDICATORS:
            rows.append(row("carte", "", where, cell.name, cell.counts[indicator.value]))
        population = Figure(Indicator.POPULATION.value, cell.population, str(cell.population), "")
        rows.append(row("carte", "", where, cell.name, population))
    return rows


# --- Cache : comme le reste de la page, rangé sous la version des agrégats ------------------------------


def cached_funnel(scope: Scope, *, version: str, labels) -> tuple[Funnel, list[MapCell]]:
    def compute():
        population = departement_population()
        return funnel_report(scope, labels=labels), departement_map(
            family=scope.family, labels=labels, population=population
        )

    return cache.get_or_set(cache_key(version, "parcours", scope), compute, CACHE_SECONDS)


def all_open_data_rows(report, *, version: str, labels) -> list[dict]:
    """Les lignes des données ouvertes : celles du rapport, puis le parcours et la carte."""
    funnel, cells = cached_funnel(report.scope, version=version, labels=labels)
    scope = report.scope
    if scope.departement:
        zone = ("departement", scope.departement)
    elif scope.region:
        zone = ("region", scope.region)
    else:
        zone = ("france", "")
    family = (scope.family, FAMILY_LABELS.get(scope.family, ""))
    zone_name = report.scope_label.rsplit(", ", 1)[0]
    return open_data_rows(report) + funnel_open_data_rows(funnel, cells, zone=zone, zone_name=zone_name, family=family)
