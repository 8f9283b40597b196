"""Le tableau de bord, la recherche et les listes de travail (page par page ou en CSV)."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backoffice import forms, scope, selectors, services
from backoffice import search as backoffice_search
from backoffice.enums import AuditAction
from backoffice.scope import advisor_required
from backoffice.views.common import paginate, query_without
from backoffice.worklists import BOARD_LISTS
from notifications.selectors import sms_monthly_costs


@advisor_required
def home(request):
    advisor = request.advisor
    return render(
        request,
        "backoffice/home.html",
        {
            "title": "Tableau de bord",
            "boards": selectors.board_counts(advisor),
            "territory": selectors.territory_label(advisor),
            "companies_to_verify": selectors.companies_to_verify(advisor).count(),
            "sms_costs": sms_monthly_costs() if scope.is_national(advisor) else None,
        },
    )


@advisor_required
def search(request):
    """La recherche : envoyée en POST, pour qu'un nom, une adresse ou un numéro ne passe pas dans l'URL (ni
    dans les journaux du serveur). Les personnes affichées sont inscrites au journal, pas la requête."""
    form = forms.SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = backoffice_search.search(request.advisor, form.cleaned_data["q"])
        if results.candidate_ids or results.employer_ids:
            services.audit_record(
                actor=request.user,
                action=AuditAction.SEARCHED,
                object_type="recherche",
                object_id=results.kind,
                candidates=results.candidate_ids,
                employers=results.employer_ids,
            )
    return render(
        request,
        "backoffice/search.html",
        {"title": "Rechercher", "form": form, "results": results, "search_query": form["q"].value() or ""},
    )


def _csv_value(value):
    value = str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return response


@advisor_required
def board_list(request, slug):
    board = BOARD_LISTS.get(slug)
    if board is None:
        raise Http404
    advisor = request.advisor
    departements = list(scope.departements_for(advisor))
    filters = forms.ListFilterForm(request.GET or None, departements=departements)
    departement = family = ""
    if filters.is_valid():
        departement, family = filters.cleaned_data["departement"], filters.cleaned_data["famille"]
    sort = request.GET.get("tri", "")
    sort = sort if sort.lstrip("-") in board.sort_keys() else board.default_sort
    queryset = board.queryset(advisor, departement=departement, family=family, sort=sort)

    if request.GET.get("format") == "csv":
        objects = board.annotate(queryset, advisor)
        if board.personal:
            services.audit_record(
                actor=request.user,
                action=AuditAction.LIST_EXPORTED,
                object_type="liste",
                object_id=slug,
                rows=len(objects),
                ids=[obj.pk for obj in objects][:1000],
            )
        return _csv_response(
            f"{slug}-{timezone.localdate():%Y-%m-%d}.csv",
            [column.label for column in board.columns],
            ([column.value(obj) for column in board.columns] for obj in objects),
        )

    page = paginate(request, queryset)
    objects = board.annotate(page.object_list, advisor)
    rows = [
        {
            "cells": [
                {
                    "value": column.value(obj),
                    "url_name": column.link(obj)[0] if column.link else None,
                    "pk": obj.pk,
                }
                for column in board.columns
            ]
        }
        for obj in objects
    ]
    query = query_without(request, "page", "format")
    sort_query = query.copy()
    sort_query.pop("tri", None)
    headers = []
    for column in board.columns:
        current = sort.lstrip("-") == column.key
        descending = current and sort.startswith("-")
        headers.append(
            {
                "label": column.label,
                "sortable": bool(column.sort),
                "current": current,
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "next_sort": column.key if (not current or descending) else f"-{column.key}",
            }
        )
    return render(
        request,
        "backoffice/board_list.html",
        {
            "title": board.title,
            "board": board,
            "filters": filters,
            "headers": headers,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "sort": sort,
        },
    )
