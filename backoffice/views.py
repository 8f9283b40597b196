"""Vues du back-office : chacune passe par `scope.advisor_required` et ne lit qu'à travers `scope`."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.enums import Role
from backoffice import forms, importers, scope, services
from backoffice.enums import AuditAction
from backoffice.models import AdvisorProfile, AuditLog, Cma
from backoffice.scope import admin_required, advisor_required
from backoffice.selectors import BOARD_LISTS
from candidates.enums import SearchStatus
from core import ratelimit
from employers.models import Company
from matching.models import Match
from matching.services import MatchTransitionError
from offers.enums import OfferStatus
from offers.services import OfferTransitionError

PAGE_SIZE = 25
IMPORT_SESSION_KEY = "backoffice_import_rows"


def _safe_next(request, default="backoffice:home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/conseiller/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


def _territory_label(advisor):
    if scope.is_national(advisor):
        return "France entière"
    names = [str(r) for r in advisor.regions.all()] + [str(d) for d in advisor.departements.all()]
    return ", ".join(names) or "Aucun territoire attribué"


# --- Second facteur -------------------------------------------------------------------------------


@advisor_required(verified=False)
def enrol(request):
    advisor = request.advisor
    if advisor.totp_confirmed:
        return redirect("backoffice:verify")
    services.totp_enrol_start(advisor=advisor)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit("backoffice-totp", str(request.user.pk), limit=5, period=300)
        if wait:
            form.add_error("code", f"Trop d'essais. Réessayez dans {max(1, wait // 60)} minute(s).")
        elif (codes := services.totp_confirm(advisor=advisor, code=form.cleaned_data["code"])) is not None:
            scope.mark_verified(request)
            return render(
                request,
                "backoffice/recovery_codes.html",
                {"title": "Vos codes de secours", "codes": codes},
            )
        else:
            form.add_error("code", "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et réessayez.")
    return render(
        request,
        "backoffice/enrol.html",
        {
            "title": "Activer la double authentification",
            "form": form,
            "secret": advisor.totp_secret,
            "secret_groups": [advisor.totp_secret[i : i + 4] for i in range(0, len(advisor.totp_secret), 4)],
            "uri": services.totp_provisioning_uri(advisor),
        },
    )


@advisor_required(verified=False)
def verify(request):
    advisor = request.advisor
    if not advisor.totp_confirmed:
        return redirect("backoffice:enrol")
    if scope.is_verified(request):
        return redirect(_safe_next(request))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit("backoffice-totp", str(request.user.pk), limit=5, period=300)
        if wait:
            form.add_error("code", f"Trop d'essais. Réessayez dans {max(1, wait // 60)} minute(s).")
        elif services.second_factor_verify(advisor=advisor, code=form.cleaned_data["code"]):
            scope.mark_verified(request)
            return redirect(_safe_next(request))
        else:
            form.add_error("code", "Ce code n'est pas le bon, ou il a déjà servi. Attendez le suivant et réessayez.")
    return render(
        request,
        "backoffice/verify.html",
        {"title": "Vérification en deux étapes", "form": form, "next": _safe_next(request, "")},
    )


# --- Tableau de bord ------------------------------------------------------------------------------


@advisor_required
def home(request):
    advisor = request.advisor
    boards = [
        {"board": board, "count": board.base_queryset(advisor).order_by().values("pk").distinct().count()}
        for board in BOARD_LISTS.values()
    ]
    return render(
        request,
        "backoffice/home.html",
        {"title": "Tableau de bord", "boards": boards, "territory": _territory_label(advisor)},
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
        objects = board.annotate(queryset)
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

    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    objects = board.annotate(page.object_list)
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
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
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


# --- Candidat·es ----------------------------------------------------------------------------------


@advisor_required
def candidate_create(request):
    form = forms.CandidateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commune = data["commune"]
        if not scope.departements_for(request.advisor).filter(pk=commune.departement_id).exists():
            form.add_error("commune", "Cette commune est hors de votre territoire.")
        else:
            profile = services.assisted_signup_create(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                consent=data["consent"],
                birth_date=data["birth_date"],
                commune=commune,
                radius_km=data["radius_km"],
                trades=[data["trade"]],
                level=data["level"],
                contract_types=data["contract_types"],
                available_from=data["available_from"],
            )
            messages.success(request, "Profil créé. La personne a reçu un lien pour prendre la main sur son compte.")
            return redirect("backoffice:candidate", pk=profile.pk)
    return render(request, "backoffice/candidate_form.html", {"title": "Créer le profil d'un·e jeune", "form": form})


@advisor_required
def candidate_detail(request, pk):
    advisor = request.advisor
    candidate = scope.get_in_scope(
        scope.candidates_for(advisor).select_related("user", "commune").prefetch_related("trades"), pk=pk
    )
    services.audit_record(actor=request.user, action=AuditAction.CANDIDATE_VIEWED, obj=candidate)
    matches = (
        Match.objects.filter(candidate=candidate)
        .select_related("offer__company", "offer__trade", "offer__commune")
        .order_by("-is_active", "-score", "-pk")
    )
    offers = (
        scope.offers_for(advisor)
        .published()
        .exclude(matches__candidate=candidate)
        .select_related("company", "trade", "commune")
        .order_by("trade__label", "company__name")[:300]
    )
    return render(
        request,
        "backoffice/candidate_detail.html",
        {
            "title": f"Profil de {candidate.user.get_full_name() or candidate.pk}",
            "candidate": candidate,
            "matches": matches,
            "propose_form": forms.ProposeForm(offers=offers),
            "close_form": forms.CloseForm(),
            "is_searching": candidate.status == SearchStatus.SEARCHING,
        },
    )


@require_POST
@advisor_required
def candidate_propose(request, pk):
    advisor = request.advisor
    candidate = scope.get_in_scope(scope.candidates_for(advisor), pk=pk)
    form = forms.ProposeForm(request.POST, offers=scope.offers_for(advisor).published())
    if form.is_valid():
        try:
            match = services.match_propose_by_advisor(
                actor=request.user, candidate=candidate, offer=form.cleaned_data["offer"]
            )
        except MatchTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Mise en relation proposée : les deux parties sont prévenues.")
            return redirect("backoffice:match", pk=match.pk)
    else:
        messages.error(request, " ".join(form.errors.get("offer", ["Choisissez une offre."])))
    return redirect("backoffice:candidate", pk=candidate.pk)


@require_POST
@advisor_required
def candidate_close(request, pk):
    candidate = scope.get_in_scope(scope.candidates_for(request.advisor), pk=pk)
    form = forms.CloseForm(request.POST)
    if form.is_valid():
        services.candidate_pause_or_close(
            actor=request.user,
            candidate=candidate,
            close=form.cleaned_data["close"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "Profil clos." if form.cleaned_data["close"] else "Profil mis en pause.")
    else:
        messages.error(request, "Choisissez une raison.")
    return redirect("backoffice:candidate", pk=candidate.pk)


@require_POST
@advisor_required
def candidate_resume(request, pk):
    candidate = scope.get_in_scope(scope.candidates_for(request.advisor), pk=pk)
    services.candidate_resume_by_advisor(actor=request.user, candidate=candidate)
    messages.success(request, "Profil de nouveau en recherche.")
    return redirect("backoffice:candidate", pk=candidate.pk)


# --- Offres ---------------------------------------------------------------------------------------


def _offer_fields(data):
    return {
        "trade": data["trade"],
        "levels": data["levels"],
        "contract_types": data["contract_types"],
        "start_date": data["start_date"],
        "positions": data["positions"],
        "commune": data["commune"],
        "description": data["description"],
    }


@advisor_required
def offer_create(request):
    advisor = request.advisor
    form = forms.OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allowed = scope.departements_for(advisor)
        company = scope.companies_for(advisor).filter(siret=data["siret"]).first()
        exists_elsewhere = company is None and Company.objects.filter(siret=data["siret"]).exists()
        if not allowed.filter(pk=data["commune"].departement_id).exists():
            form.add_error("commune", "Ce lieu de travail est hors de votre territoire.")
        elif exists_elsewhere:
            form.add_error("siret", "Cette entreprise est inscrite hors de votre territoire.")
        elif company is None and not data["company_name"]:
            form.add_error("company_name", "Nouvelle entreprise : indiquez son nom.")
        else:
            company = company or services.company_get_or_create(
                actor=request.user, siret=data["siret"], name=data["company_name"], commune=data["commune"]
            )
            offer = services.offer_create_for_company(actor=request.user, company=company, **_offer_fields(data))
            messages.success(request, "Offre créée et publiée.")
            return redirect("backoffice:offer", pk=offer.pk)
    return render(request, "backoffice/offer_form.html", {"title": "Créer une offre pour un·e artisan·e", "form": form})


@advisor_required
def offer_detail(request, pk):
    offer = scope.get_in_scope(scope.offers_for(request.advisor).select_related("company", "trade", "commune"), pk=pk)
    matches = (
        scope.matches_for(request.advisor)
        .filter(offer=offer)
        .select_related("candidate__user", "candidate__commune")
        .order_by("-is_active", "-score", "-pk")
    )
    return render(
        request,
        "backoffice/offer_detail.html",
        {
            "title": f"Offre : {offer.trade.label} chez {offer.company.name}",
            "offer": offer,
            "matches": matches,
            "close_form": forms.OfferCloseForm(),
            "is_open": offer.status in (OfferStatus.PUBLISHED, OfferStatus.DRAFT, OfferStatus.EXPIRED),
        },
    )


@advisor_required
def offer_edit(request, pk):
    offer = scope.get_in_scope(scope.offers_for(request.advisor).select_related("company", "commune"), pk=pk)
    initial = {
        "commune": offer.commune,
        "trade": offer.trade_id,
        "levels": offer.levels,
        "contract_types": offer.contract_types,
        "start_date": offer.start_date,
        "positions": offer.positions,
        "description": offer.description,
    }
    form = forms.OfferForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        if not scope.departements_for(request.advisor).filter(pk=form.cleaned_data["commune"].departement_id).exists():
            form.add_error("commune", "Ce lieu de travail est hors de votre territoire.")
        else:
            try:
                services.offer_update_by_advisor(actor=request.user, offer=offer, **_offer_fields(form.cleaned_data))
            except OfferTransitionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Offre modifiée.")
                return redirect("backoffice:offer", pk=offer.pk)
    return render(
        request,
        "backoffice/offer_form.html",
        {"title": f"Modifier l'offre de {offer.company.name}", "form": form, "offer": offer},
    )


@require_POST
@advisor_required
def offer_close(request, pk):
    offer = scope.get_in_scope(scope.offers_for(request.advisor), pk=pk)
    form = forms.OfferCloseForm(request.POST)
    if form.is_valid():
        try:
            services.offer_close_by_advisor(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
        except OfferTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Offre close.")
    else:
        messages.error(request, "Choisissez une raison.")
    return redirect("backoffice:offer", pk=offer.pk)


# --- Mises en relation ----------------------------------------------------------------------------


@advisor_required
def match_detail(request, pk):
    match = scope.get_in_scope(
        scope.matches_for(request.advisor).select_related(
            "candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune", "proposed_by"
        ),
        pk=pk,
    )
    candidate_visible = scope.candidates_for(request.advisor).filter(pk=match.candidate_id).exists()
    return render(
        request,
        "backoffice/match_detail.html",
        {
            "title": "Mise en relation",
            "match": match,
            "form": forms.OutcomeForm(initial={"state": match.state}),
            "candidate_visible": candidate_visible,
        },
    )


@require_POST
@advisor_required
def match_outcome(request, pk):
    match = scope.get_in_scope(scope.matches_for(request.advisor), pk=pk)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.match_outcome_by_advisor(actor=request.user, match=match, state=form.cleaned_data["state"])
        except MatchTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Issue du contact enregistrée.")
    else:
        messages.error(request, "Choisissez l'issue du contact.")
    return redirect("backoffice:match", pk=match.pk)


# --- Import CSV -----------------------------------------------------------------------------------


@advisor_required
def import_offers(request):
    advisor = request.advisor
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    context = {"title": "Importer des entreprises et des offres", "form": form, "columns": importers.COLUMNS}
    if request.method == "POST" and form.is_valid():
        allowed = (
            None if scope.is_national(advisor) else set(scope.departements_for(advisor).values_list("code", flat=True))
        )
        rows, errors = importers.parse_offers_csv(form.cleaned_data["file"].read(), allowed_departements=allowed)
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
    counts = services.offers_import(actor=request.user, rows=rows)
    messages.success(request, f"Import terminé : {counts['offers']} offre(s) pour {counts['companies']} entreprise(s).")
    return redirect("backoffice:home")


@advisor_required
def import_example(request):
    response = HttpResponse(importers.EXAMPLE.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exemple-import-offres.csv"'
    return response


# --- Administration nationale ---------------------------------------------------------------------


@admin_required
def admin_cmas(request):
    form = forms.CmaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.cma_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "CMA créée.")
        return redirect("backoffice:admin_cmas")
    cmas = Cma.objects.select_related("region").annotate(advisor_count=Count("advisors"))
    return render(request, "backoffice/admin/cmas.html", {"title": "Les CMA", "form": form, "cmas": cmas})


@admin_required
def admin_advisors(request):
    form = forms.AdvisorCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        advisor = services.advisor_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "Compte créé : un lien de connexion a été envoyé. Choisissez ses territoires.")
        return redirect("backoffice:admin_territories", pk=advisor.pk)
    advisors = (
        AdvisorProfile.objects.filter(user__role=Role.ADVISOR)
        .select_related("user", "cma")
        .prefetch_related("regions", "departements")
        .order_by("user__last_name", "pk")
    )
    return render(
        request, "backoffice/admin/advisors.html", {"title": "Les conseiller·es", "form": form, "advisors": advisors}
    )


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
    entries = AuditLog.objects.select_related("actor")
    if form.is_valid():
        entries = entries.filter_by(
            action=form.cleaned_data["action"],
            actor_id=form.cleaned_data["actor"],
            object_type=form.cleaned_data["object_type"],
            object_id=form.cleaned_data["object_id"],
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/admin/journal.html",
        {"title": "Journal des accès et des actions", "form": form, "page": page, "query": query.urlencode()},
    )
