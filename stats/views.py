import csv
import hashlib
import io
import json
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from stats import tilemap
from stats.charts import bar_chart
from stats.enums import DESCRIPTIONS, SECRET, SUMMARY_INDICATORS, Indicator
from stats.forms import ScopeForm
from stats.funnel import MAP_INDICATORS, all_open_data_rows, cached_funnel, map_legend
from stats.schema import table_schema
from stats.selectors import (
    CACHE_SECONDS,
    OPEN_DATA_FIELDS,
    aggregates_version,
    cache_key,
    cached_stats_report,
    cached_zone_labels,
    indicator_definitions,
    month_label,
    open_data_rows,
)

CHARTED = [
    Indicator.CANDIDATES,
    Indicator.EMPLOYERS,
    Indicator.OFFERS_PUBLISHED,
    Indicator.MATCHES,
    Indicator.CONTACTS,
    Indicator.CONTRACTS,
]


def _scope_form(params, version: str):
    labels = cached_zone_labels(version)
    return ScopeForm(params or None, regions=labels[0], departements=labels[1]), labels


def _report(request):
    version = aggregates_version()
    form, labels = _scope_form(request.GET, version)
    return form, cached_stats_report(form.scope(), version=version, labels=labels), version


def _query_string(params) -> str:
    chosen = {key: params[key] for key in ("region", "departement", "famille") if params.get(key)}
    return f"?{urlencode(chosen)}" if chosen else ""


def _figures_context(report) -> dict:
    labels = [month_label(month) for month in report.months]
    charts = [
        bar_chart(
            ident=f"graphique-{indicator.value}",
            title=f"{indicator.label} par mois, {report.scope_label}",
            labels=labels,
            figures=report.monthly[indicator.value],
        )
        for indicator in CHARTED
    ]
    family_chart = (
        bar_chart(
            ident="graphique-familles",
            title=f"{Indicator.OFFERS_PUBLISHED.label} par famille de métiers, {report.scope_label}",
            labels=[breakdown.label for breakdown in report.by_family],
            figures=[breakdown.figures[Indicator.OFFERS_PUBLISHED] for breakdown in report.by_family],
        )
        if report.by_family
        else None
    )
    indicators = [
        {
            "code": indicator.value,
            "label": indicator.label,
            "description": DESCRIPTIONS[indicator],
            "figure": report.totals[indicator.value],
        }
        for indicator in SUMMARY_INDICATORS
    ]
    monthly_rows = [
        (label, [report.monthly[indicator.value][position] for indicator in CHARTED])
        for position, label in enumerate(labels)
    ]
    return {
        "report": report,
        "indicators": indicators,
        "charts": charts,
        "family_chart": family_chart,
        "charted": [(indicator.value, indicator.label) for indicator in CHARTED],
        "monthly_rows": monthly_rows,
    }


def _funnel_context(report, funnel, cells) -> dict:
    colour = Indicator.CONTRACTS.value
    return {
        "report": report,
        "funnel": funnel,
        "steps": funnel.total.steps,
        "cells": sorted(cells, key=lambda cell: cell.code),
        "map_indicators": [(indicator.value, indicator.label) for indicator in MAP_INDICATORS],
        "legend": map_legend(cells, colour),
        "colour_label": Indicator.CONTRACTS.label,
        "map": {
            "width": tilemap.WIDTH,
            "height": tilemap.HEIGHT,
            "cell": tilemap.CELL,
            "size": tilemap.CELL - tilemap.GAP,
            "overseas_y": tilemap.OVERSEAS_ROW * tilemap.CELL + 20,
            "overseas_label_y": tilemap.OVERSEAS_ROW * tilemap.CELL + 12,
        },
    }


def _funnel_html(report, version: str, labels) -> str:
    """Le parcours et la carte, rendus une fois par périmètre et par calcul (comme les chiffres)."""

    def render_funnel():
        funnel, cells = cached_funnel(report.scope, version=version, labels=labels)
        return render_to_string("stats/_funnel.html", _funnel_context(report, funnel, cells))

    return cache.get_or_set(cache_key(version, "parcours-html", report.scope), render_funnel, CACHE_SECONDS)


def _figures_html(report, version: str) -> str:
    """Les chiffres, graphiques et tableaux : ils ne changent qu'au calcul suivant, rendus une fois par périmètre."""
    return cache.get_or_set(
        cache_key(version, "chiffres", report.scope),
        lambda: render_to_string("stats/_figures.html", _figures_context(report)),
        CACHE_SECONDS,
    )


def _page_html(params, version: str) -> str:
    """Le corps de la page pour un périmètre (formulaire, chiffres, graphiques, parcours, liens des données
    ouvertes) : rendu une fois par choix et par calcul, puis relu du cache en une lecture (ni le formulaire, ni le
    rapport, ni ses graphiques ne sont refaits). Un formulaire en erreur est rendu à chaque fois, sans cache."""
    query = _query_string(params)
    key = cache_key(version, "page-" + hashlib.sha256(query.encode()).hexdigest()[:32])
    if (html := cache.get(key)) is not None:
        return html
    form, labels = _scope_form(params, version)
    report = cached_stats_report(form.scope(), version=version, labels=labels)
    html = render_to_string(
        "stats/_page.html",
        {
            "form": form,
            "report": report,
            "figures_html": _figures_html(report, version),
            "funnel_html": _funnel_html(report, version, labels),
            "csv_url": reverse("stats:open_data_csv") + query,
            "json_url": reverse("stats:open_data_json") + query,
        },
    )
    if not form.is_bound or form.is_valid():
        cache.set(key, html, CACHE_SECONDS)
    return html


def national_page_prepare() -> None:
    """Met en cache, juste après un calcul, la page /stats sans filtre (la plus demandée) : son premier visiteur
    ne paie ni la lecture des agrégats ni le rendu des graphiques (à un million de profils, 150 ms)."""
    _page_html(QueryDict(), aggregates_version())


@require_GET
@gzip_page  # page publique, longue (tableaux) : compressée ; aucun secret propre au visiteur dans son corps
def index(request):
    page_html = _page_html(request.GET, aggregates_version())
    return render(request, "stats/index.html", {"title": "Statistiques", "page_html": page_html})


@require_GET
@gzip_page
def open_data_csv(request):
    _form, report, version = _report(request)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OPEN_DATA_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(all_open_data_rows(report, version=version, labels=cached_zone_labels(version)))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cestmachance-statistiques.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data_document(request, report, rows=None) -> dict:
    return {
        "calcule_le": report.computed_at.isoformat() if report.computed_at else None,
        "perimetre": report.scope_label,
        "schema": request.build_absolute_uri(reverse("stats:schema")),
        "secret_statistique": f"Les chiffres masqués valent « {SECRET} » : les comptes de 1 à 4, les parts ou "
        "médianes calculées sur moins de 5 offres ou sur un compte masqué, et d'autres comptes choisis pour "
        "qu'aucun chiffre masqué ne se retrouve par soustraction (masquage secondaire : un chiffre masqué peut "
        "valoir 5 ou plus).",
        "indicateurs": indicator_definitions(),
        "lignes": open_data_rows(report) if rows is None else rows,
    }


@require_GET
@gzip_page
def open_data_json(request):
    _form, report, version = _report(request)
    rows = all_open_data_rows(report, version=version, labels=cached_zone_labels(version))
    response = JsonResponse(open_data_document(request, report, rows), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def schema(request):
    return HttpResponse(
        json.dumps(table_schema(), ensure_ascii=False, indent=2), content_type="application/schema+json"
    )
