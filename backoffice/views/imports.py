"""L'import CSV d'entreprises et d'offres : dépôt et aperçu, confirmation, fichier d'exemple."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import forms, importers, scope, services
from backoffice.scope import advisor_required

IMPORT_SESSION_KEY = "backoffice_import_rows"


@advisor_required
def import_offers(request):
    advisor = request.advisor
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    context = {"title": "Importer des entreprises et des offres", "form": form, "columns": importers.COLUMNS}
    if request.method == "POST" and form.is_valid():
        allowed = (
            None if scope.is_national(advisor) else set(scope.departements_for(advisor).values_list("code", flat=True))
        )
        rows, errors = importers.parse_offers_csv(
            form.cleaned_data["file"].read(),
            allowed_departements=allowed,
            sirets_outside=lambda sirets: scope.sirets_outside(advisor, sirets),
        )
        if errors:
            request.session.pop(IMPORT_SESSION_KEY, None)
            context["errors"] = errors
        else:
            request.session[IMPORT_SESSION_KEY] = [row.as_dict() for row in rows]
            context["preview"] = rows
    return render(request, "backoffice/import.html", context)


@require_POST
@advisor_required
def import_confirm(request):
    rows = request.session.pop(IMPORT_SESSION_KEY, None)
    if not rows:
        messages.error(request, "Rien à importer : déposez d'abord un fichier.")
        return redirect("backoffice:import")
    # L'aperçu a pu être fait avant qu'une de ces entreprises s'inscrive ailleurs : la règle est revue ici.
    if outside := scope.sirets_outside(request.advisor, {row["siret"] for row in rows}):
        messages.error(
            request,
            f"Rien n'a été importé : l'entreprise au SIRET {', '.join(sorted(outside))} est désormais inscrite "
            "hors de votre territoire. Retirez ces lignes et déposez de nouveau le fichier.",
        )
        return redirect("backoffice:import")
    counts = services.offers_import(actor=request.user, rows=rows)
    messages.success(request, f"Import terminé : {counts['offers']} offre(s) pour {counts['companies']} entreprise(s).")
    return redirect("backoffice:home")


@advisor_required
def import_example(request):
    response = HttpResponse(importers.EXAMPLE.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exemple-import-offres.csv"'
    return response
