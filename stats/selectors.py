"""Lectures des statistiques publiques : uniquement les agrégats (jamais les tables des usagers)."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import formats, timezone

from geo.models import Departement, Region
from stats.enums import (
    COUNT_INDICATORS,
    DESCRIPTIONS,
    HISTOGRAM_INDICATORS,
    SECRECY_THRESHOLD,
    SECRET,
    SECRET_DISPLAY,
    SNAPSHOT_INDICATORS,
    UNITS,
    Indicator,
)
from stats.models import Aggregate, MaskedCell, Refresh
from stats.secrecy import ALL_MONTHS, zone_key
from trades.catalogue import FAMILIES, FAMILY_LABELS

MONTH_NAMES = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
# Indicateurs montrés dans les séries mensuelles (les stocks n'ont pas de série).
MONTHLY_INDICATORS = [
    indicator
    for indicator in Indicator
    if indicator not in SNAPSHOT_INDICATORS
    and (indicator in COUNT_INDICATORS or indicator in (Indicator.FILLED_SHARE, Indicator.FIRST_CONTACT_DELAY))
]


@dataclass(frozen=True)
class Figure:
    """Un chiffre publié : `data` pour les données ouvertes, `display` pour la page (« secret » si masqué)."""

    indicator: str
    value: float | None
    data: str
    display: str

    @property
    def is_secret(self) -> bool:
        return self.data == SECRET


@dataclass
class Scope:
    """Le périmètre demandé : région, département, famille de métiers (tous facultatifs)."""

    region: str = ""
    departement: str = ""
    family: str = ""

    def aggregate_filter(self, *, with_family=True) -> Q:
        condition = Q()
        if self.departement:
            condition &= Q(departement=self.departement)
        elif self.region:
            condition &= Q(region=self.region)
        if with_family:
            condition &= Q(family=self.family)
        return condition


@dataclass
class Breakdown:
    code: str
    label: str
    figures: dict[str, Figure]


@dataclass
class Report:
    scope: Scope
    scope_label: str
    computed_at: datetime.datetime | None
    totals: dict[str, Figure]
    months: list[datetime.date]
    monthly: dict[str, list[Figure]]
    zone_kind: str = ""  # "region" ou "departement" : le niveau de la ventilation géographique
    by_zone: list[Breakdown] = field(default_factory=list)
    by_family: list[Breakdown] = field(default_factory=list)


def _number(value: float) -> str:
    return formats.number_format(value, decimal_pos=0 if float(value).is_integer() else 1, force_grouping=True)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


_SECRET = {"value": None, "data": SECRET, "display": SECRET_DISPLAY}


def count_figure(indicator: str, value: int, *, masked: bool = False) -> Figure:
    """Un compte : masqué entre 1 et 4 (secret primaire) ou quand le masquage secondaire l'a choisi."""
    if masked or 0 < value < SECRECY_THRESHOLD:
        return Figure(indicator, **_SECRET)
    return Figure(indicator, value, str(value), _number(value))


def share_figure(filled: int, published: int, *, masked: bool = False) -> Figure:
    """Offres pourvues / publiées ; masquée si l'un des deux comptes l'est (on le retrouverait sinon)."""
    indicator = Indicator.FILLED_SHARE
    if published == 0:
        return Figure(indicator, None, "", "—")
    if masked or published < SECRECY_THRESHOLD or 0 < filled < SECRECY_THRESHOLD:
        return Figure(indicator, **_SECRET)
    share = round(100 * filled / published, 1)
    return Figure(indicator, share, _plain(share), f"{_number(share)} %")


def median_figure(histogram: dict[int, int]) -> Figure:
    """Médiane d'un histogramme {jours: nombre d'offres} ; masquée s'il y a moins de 5 offres."""
    indicator = Indicator.FIRST_CONTACT_DELAY
    total = sum(histogram.values())
    if total == 0:
        return Figure(indicator, None, "", "—")
    if total < SECRECY_THRESHOLD:
        return Figure(indicator, **_SECRET)
    ordered = sorted(histogram.items())

    def nth(rank):  # rang à partir de 0
        seen = 0
        for days, count in ordered:
            seen += count
            if rank < seen:
                return days
        return ordered[-1][0]  # pragma: no cover

    median = nth((total - 1) // 2) if total % 2 else (nth(total // 2 - 1) + nth(total // 2)) / 2
    unit = "jour" if median < 2 else "jours"
    return Figure(indicator, median, _plain(median), f"{_number(median)} {unit}")


def _figures(
    counts: dict[str, int], histogram: dict[int, int], *, snapshots=True, masked=frozenset()
) -> dict[str, Figure]:
    """Les chiffres d'une case ; `masked` : les indicateurs que le secret statistique y masque."""
    figures = {
        indicator.value: count_figure(indicator.value, counts.get(indicator, 0), masked=indicator.value in masked)
        for indicator in COUNT_INDICATORS
        if snapshots or indicator not in SNAPSHOT_INDICATORS
    }
    figures[Indicator.FILLED_SHARE.value] = share_figure(
        counts.get(Indicator.OFFERS_FILLED, 0),
        counts.get(Indicator.OFFERS_PUBLISHED, 0),
        masked=bool({Indicator.OFFERS_FILLED.value, Indicator.OFFERS_PUBLISHED.value} & set(masked)),
    )
    figures[Indicator.FIRST_CONTACT_DELAY.value] = median_figure(histogram)
    # Dans l'ordre des indicateurs.
    return {indicator.value: figures[indicator.value] for indicator in Indicator if indicator.value in figures}


def _month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def month_label(month: datetime.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _breakdown(rows, histogram_rows, key: str, labels: dict[str, str], masked_at) -> list[Breakdown]:
    """Une ventilation ; `masked_at(code)` : les indicateurs masqués de la case de ce code."""
    counts: dict[str, dict[str, int]] = {}
    histograms: dict[str, dict[int, int]] = {}
    for row in rows:
        counts.setdefault(row[key], {})[row["indicator"]] = row["total"]
    for row in histogram_rows:
        histograms.setdefault(row[key], {})[row["days"]] = row["total"]
    return [
        Breakdown(code, label, _figures(counts.get(code, {}), histograms.get(code, {}), masked=masked_at(code)))
        for code, label in labels.items()
    ]


def zone_labels() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Noms des régions {code: nom} et des départements {code: (nom, code région)}."""
    regions = dict(Region.objects.order_by("name").values_list("code", "name"))
    departements = {
        code: (name, region)
        for code, name, region in Departement.objects.order_by("code").values_list("code", "name", "region_id")
    }
    return regions, departements


# --- Cache : les agrégats ne changent qu'à chaque calcul (toutes les heures) ---------------------------
# Les entrées sont rangées sous la version du dernier calcul : `stats_refresh` en crée un nouveau, et plus aucune
# page ne lit les anciennes, qui expirent d'elles-mêmes (une durée au-delà de l'intervalle des calculs).
CACHE_SECONDS = 2 * 60 * 60


def aggregates_version() -> str:
    """La version des agrégats : le dernier calcul (identifiant et date), lu en une petite requête."""
    row = Refresh.objects.order_by("-computed_at").values_list("pk", "computed_at").first()
    return f"{row[0]}-{row[1].timestamp():.6f}" if row else "aucun"


def cache_key(version: str, part: str, scope: Scope | None = None) -> str:
    key = f"stats:{version}:{part}"
    if scope is not None:
        key += f":{scope.region}:{scope.departement}:{scope.family}"
    return key


def cached_zone_labels(version: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    return cache.get_or_set(cache_key(version, "zones"), zone_labels, CACHE_SECONDS)


def cached_stats_report(scope: Scope, *, version: str, labels) -> "Report":
    """`stats_report` gardé en cache pour cette version des agrégats (page, données ouvertes, API)."""
    return cache.get_or_set(
        cache_key(version, "rapport", scope), lambda: stats_report(scope, labels=labels), CACHE_SECONDS
    )


def child_zone_labels(scope: Scope, regions: dict, departements: dict) -> tuple[str, dict[str, str]]:
    """Le niveau des zones que ventile un périmètre (« region », « departement », ou rien pour un département)
    et leurs libellés par code."""
    if scope.departement:
        return "", {}
    if scope.region:
        return "departement", {
            code: f"{name} ({code})" for code, (name, region) in departements.items() if region == scope.region
        }
    return "region", regions


def stats_report(scope: Scope | None = None, *, labels=None) -> Report:
    """Tous les chiffres de la page /stats pour un périmètre, lus dans les agrégats (requêtes en nombre fixe)."""
    scope = scope or Scope()
    regions, departements = labels or zone_labels()
    refresh = Refresh.objects.order_by("-computed_at").first()
    aggregates = Aggregate.objects.filter(scope.aggregate_filter())
    counts_rows = aggregates.exclude(indicator__in=HISTOGRAM_INDICATORS).values("indicator", "month")
    counts_rows = counts_rows.annotate(total=Sum("value")).order_by()
    delay_rows = aggregates.filter(indicator=Indicator.FIRST_CONTACT_DELAY).values("month", "days")
    delay_rows = delay_rows.annotate(total=Sum("value")).order_by()

    totals: dict[str, int] = {}
    by_month: dict[datetime.date, dict[str, int]] = {}
    for row in counts_rows:
        totals[row["indicator"]] = totals.get(row["indicator"], 0) + row["total"]
        if row["month"] is not None:
            by_month.setdefault(row["month"], {})[row["indicator"]] = row["total"]
    histogram: dict[int, int] = {}
    histograms_by_month: dict[datetime.date, dict[int, int]] = {}
    for row in delay_rows:
        histogram[row["days"]] = histogram.get(row["days"], 0) + row["total"]
        histograms_by_month.setdefault(row["month"], {})[row["days"]] = row["total"]

    here = zone_key(region=scope.region, departement=scope.departement)
    zone_kind, child_labels = child_zone_labels(scope, regions, departements)
    child_zones = [zone_key(**{zone_kind: code}) for code in child_labels] if zone_kind else []
    masked: dict[tuple, set[str]] = {}
    for indicator, zone, family, month in MaskedCell.objects.filter(
        Q(zone=here) | Q(zone__in=child_zones, family=scope.family, month__isnull=True)
    ).values_list("indicator", "zone", "family", "month"):
        masked.setdefault((zone, family, month), set()).add(indicator)

    def masked_at(zone=here, family=scope.family, month=ALL_MONTHS):
        return masked.get((zone, family, month), frozenset())

    present = sorted(set(by_month) | set(histograms_by_month))
    months = _month_range(present[0], max(present[-1], timezone.localdate().replace(day=1))) if present else []
    monthly_figures = [
        _figures(
            by_month.get(month, {}),
            histograms_by_month.get(month, {}),
            snapshots=False,
            masked=masked_at(month=month),
        )
        for month in months
    ]
    monthly = {
        indicator.value: [figures[indicator.value] for figures in monthly_figures] for indicator in MONTHLY_INDICATORS
    }

    report = Report(
        scope=scope,
        scope_label=scope_label(scope, regions, departements),
        computed_at=refresh.computed_at if refresh else None,
        totals=_figures(totals, histogram, masked=masked_at()),
        months=months,
        monthly=monthly,
    )

    if not scope.departement:
        geo_scope = Aggregate.objects.filter(scope.aggregate_filter()).exclude(region="")
        report.zone_kind = key = zone_kind
        report.by_zone = _breakdown(
            geo_scope.exclude(indicator__in=HISTOGRAM_INDICATORS)
            .values(key, "indicator")
            .annotate(total=Sum("value"))
            .order_by(),
            geo_scope.filter(indicator=Indicator.FIRST_CONTACT_DELAY)
            .values(key, "days")
            .annotate(total=Sum("value"))
            .order_by(),
            key,
            child_labels,
            lambda code: masked_at(zone=zone_key(**{key: code}), month=ALL_MONTHS),
        )
    if not scope.family:
        family_scope = Aggregate.objects.filter(scope.aggregate_filter(with_family=False)).exclude(family="")
        report.by_family = _breakdown(
            family_scope.exclude(indicator__in=HISTOGRAM_INDICATORS)
            .values("family", "indicator")
            .annotate(total=Sum("value"))
            .order_by(),
            family_scope.filter(indicator=Indicator.FIRST_CONTACT_DELAY)
            .values("family", "days")
            .annotate(total=Sum("value"))
            .order_by(),
            "family",
            dict(FAMILIES),
            lambda code: masked_at(family=code),
        )
    return report


def scope_label(scope: Scope, regions: dict, departements: dict) -> str:
    parts = []
    if scope.departement and scope.departement in departements:
        parts.append(f"{departements[scope.departement][0]} ({scope.departement})")
    elif scope.region and scope.region in regions:
        parts.append(regions[scope.region])
    else:
        parts.append("France entière")
    parts.append(FAMILY_LABELS.get(scope.family, "toutes familles de métiers"))
    return ", ".join(parts)


# --- Données ouvertes ----------------------------------------------------------------------------

OPEN_DATA_FIELDS = [
    "section",
    "mois",
    "zone_type",
    "zone_code",
    "zone_nom",
    "famille_code",
    "famille_nom",
    "indicateur",
    "unite",
    "valeur",
]


def open_data_rows(report: Report) -> list[dict[str, str]]:
    """Les chiffres du rapport, une ligne par chiffre (le même contenu pour le CSV, le JSON et l'API)."""
    scope = report.scope
    if scope.departement:
        zone = ("departement", scope.departement)
    elif scope.region:
        zone = ("region", scope.region)
    else:
        zone = ("france", "")
    zone_name = report.scope_label.rsplit(", ", 1)[0]
    family = (scope.family, FAMILY_LABELS.get(scope.family, ""))

    def row(section, month, zone_, zone_label, family_, figure):
        return {
            "section": section,
            "mois": month.strftime("%Y-%m") if month else "",
            "zone_type": zone_[0],
            "zone_code": zone_[1],
            "zone_nom": zone_label,
            "famille_code": family_[0],
            "famille_nom": family_[1],
            "indicateur": figure.indicator,
            "unite": UNITS.get(figure.indicator, "nombre"),
            "valeur": figure.data,
        }

    rows = [row("total", None, zone, zone_name, family, figure) for figure in report.totals.values()]
    for figures in report.monthly.values():
        rows += [
            row("mois", month, zone, zone_name, family, figure)
            for month, figure in zip(report.months, figures, strict=True)
        ]
    for breakdown in report.by_zone:
        rows += [
            row("zone", None, (report.zone_kind, breakdown.code), breakdown.label, family, figure)
            for figure in breakdown.figures.values()
        ]
    for breakdown in report.by_family:
        rows += [
            row("famille", None, zone, zone_name, (breakdown.code, breakdown.label), figure)
            for figure in breakdown.figures.values()
        ]
    return rows


def indicator_definitions() -> list[dict[str, str]]:
    return [
        {"code": indicator.value, "libelle": indicator.label, "description": DESCRIPTIONS[indicator]}
        for indicator in Indicator
    ]
