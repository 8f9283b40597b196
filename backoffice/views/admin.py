"""L'administration nationale : les CMA, les comptes des conseiller·es et leurs territoires, le déblocage du
second facteur, le journal d'audit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import forms, scope, selectors, services
from backoffice.models import AdvisorProfile
from backoffice.scope import admin_required
from backoffice.views.common import paginate, query_without


@admin_required
def admin_cmas(request):
    form = forms.CmaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.cma_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "CMA créée.")
        return redirect("backoffice:admin_cmas")
    cmas = selectors.cmas_with_counts()
    return render(request, "backoffice/admin/cmas.html", {"title": "Les CMA", "form": form, "cmas": cmas})


@admin_required
def admin_advisors(request):
    form = forms.AdvisorCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        advisor = services.advisor_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "Compte créé : un lien de connexion a été envoyé. Choisissez ses territoires.")
        return redirect("backoffice:admin_territories", pk=advisor.pk)
    advisors = selectors.advisors()
    return render(
        request, "backoffice/admin/advisors.html", {"title": "Les conseiller·es", "form": form, "advisors": advisors}
    )


@admin_required
@require_POST
def admin_unlock(request, pk):
    advisor = scope.get_in_scope(AdvisorProfile.objects.select_related("user"), pk=pk)
    services.second_factor_unlock(actor=request.user, advisor=advisor)
    messages.success(request, "Double authentification débloquée.")
    return redirect("backoffice:admin_advisors")


@admin_required
def admin_territories(request, pk):
    advisor = scope.get_in_scope(AdvisorProfile.objects.select_related("user", "cma"), pk=pk)
    form = forms.TerritoriesForm(
        request.POST or None,
        initial={"regions": list(advisor.regions.all()), "departements": list(advisor.departements.all())},
    )
    if request.method == "POST" and form.is_valid():
        services.advisor_set_territories(actor=request.user, advisor=advisor, **form.cleaned_data)
        messages.success(request, "Territoires enregistrés.")
        return redirect("backoffice:admin_advisors")
    return render(
        request,
        "backoffice/admin/territories.html",
        {"title": f"Territoires de {advisor.user.get_full_name()}", "form": form, "advisor": advisor},
    )


@admin_required
def admin_journal(request):
    form = forms.JournalFilterForm(request.GET or None)
    entries = selectors.audit_entries(form.cleaned_data if form.is_valid() else None)
    page = paginate(request, entries, per_page=50)
    query = query_without(request, "page")
    return render(
        request,
        "backoffice/admin/journal.html",
        {"title": "Journal des accès et des actions", "form": form, "page": page, "query": query.urlencode()},
    )
