"""Vues du back-office : chacune passe par `scope.advisor_required` et ne lit qu'à travers `scope`."""

import csv

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.enums import Role
from backoffice import diagnostics, forms, importers, scope, services
from backoffice import search as backoffice_search
from backoffice.enums import AuditAction
from backoffice.models import AdvisorProfile, AuditLog, Cma
from backoffice.scope import admin_required, advisor_required
from backoffice.selectors import BOARD_LISTS
from candidates.enums import SearchStatus
from core import ratelimit
from core.phone import format_phone
from employers.enums import MembershipStatus, VerificationReason, VerificationStatus
from employers.models import Company, Membership
from employers.services import MembershipError
from matching import selectors as matching_selectors
from matching.enums import OPEN_STATES, Side
from matching.models import Match
from matching.services import MatchTransitionError
from notifications.selectors import sms_monthly_costs
from offers.enums import OfferStatus
from offers.models import Offer, Report
from offers.services import OfferTransitionError

PAGE_SIZE = 25
LOCKED_MESSAGE = (
    "Votre double authentification est bloquée après trop de codes refusés : un e-mail vous a été envoyé. "
    "Elle se débloque d'elle-même après 24 heures, ou plus tôt sur demande à l'administration nationale."
)
IMPORT_SESSION_KEY = "backoffice_import_rows"


def _safe_next(request, default="backoffice:home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = ("/conseiller/", reverse("admin:index")) if settings.ADMIN_ENABLED else ("/conseiller/",)
    if url.startswith(allowed) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
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
    secret = advisor.get_totp_secret()
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
            "secret": secret,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
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
        if services.second_factor_is_locked(advisor=advisor):
            form.add_error(None, LOCKED_MESSAGE)
        elif wait := services.second_factor_wait(advisor=advisor):
            form.add_error("code", f"Trop d'essais. Patientez {wait} secondes avant de réessayer.")
        elif services.second_factor_verify(advisor=advisor, code=form.cleaned_data["code"]):
            scope.mark_verified(request)
            return redirect(_safe_next(request))
        elif services.second_factor_is_locked(advisor=advisor):
            form.add_error(None, LOCKED_MESSAGE)
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
        {
            "title": "Tableau de bord",
            "boards": boards,
            "territory": _territory_label(advisor),
            "companies_to_verify": _companies_to_verify(advisor).count(),
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

    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
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


def _proposable_offers(advisor, candidate):
    """Les offres qu'un·e conseiller·e peut proposer à la main : publiées, du territoire, sans paire avec ce
    profil."""
    return scope.offers_for(advisor).published().exclude(matches__candidate=candidate)


def _candidate_page(request, candidate, propose_form=None, status=200):
    advisor = request.advisor
    matches = (
        Match.objects.filter(candidate=candidate)
        .select_related("offer__company", "offer__trade", "offer__commune")
        .order_by("-is_active", "-score", "-pk")
    )
    is_searching = candidate.status == SearchStatus.SEARCHING
    fitting, missing = (
        diagnostics.proposals(candidate, _proposable_offers(advisor, candidate)) if is_searching else ([], [])
    )
    return render(
        request,
        "backoffice/candidate_detail.html",
        {
            "title": f"Profil de {candidate.user.get_full_name() or candidate.pk}",
            "candidate": candidate,
            "phone": format_phone(candidate.user.phone),
            "matches": matches,
            "fitting": fitting,
            "missing": missing,
            "propose_form": propose_form or forms.ProposeForm(offers=Offer.objects.none()),
            "close_form": forms.CloseForm(),
            "is_searching": is_searching,
        },
        status=status,
    )


def _candidate_in_scope(request, pk):
    return scope.get_in_scope(
        scope.candidates_for(request.advisor).select_related("user", "commune").prefetch_related("trades"), pk=pk
    )


@advisor_required
def candidate_detail(request, pk):
    candidate = _candidate_in_scope(request, pk)
    services.audit_record(actor=request.user, action=AuditAction.CANDIDATE_VIEWED, obj=candidate)
    return _candidate_page(request, candidate)


@require_POST
@advisor_required
def candidate_propose(request, pk):
    """Propose une paire ; si les règles l'écartent, une raison est demandée et inscrite au journal."""
    candidate = _candidate_in_scope(request, pk)
    form = forms.ProposeForm(request.POST, offers=_proposable_offers(request.advisor, candidate))
    if form.is_valid():
        judged = diagnostics.proposal(candidate, form.cleaned_data["offer"])
        reason = form.cleaned_data["reason"]
        if judged.failed and not reason:
            form.add_error(
                "reason",
                f"Cette offre ne respecte pas toutes les règles ({' ; '.join(judged.texts)}) : "
                "choisissez la raison de la proposer quand même.",
            )
        else:
            try:
                match = services.match_propose_by_advisor(
                    actor=request.user,
                    candidate=candidate,
                    offer=form.cleaned_data["offer"],
                    failed_rules=judged.failed,
                    reason=reason if judged.failed else "",
                )
            except MatchTransitionError as error:
                form.add_error("offer", str(error))
            else:
                messages.success(request, "Mise en relation proposée : les deux parties sont prévenues.")
                return redirect("backoffice:match", pk=match.pk)
    return _candidate_page(request, candidate, propose_form=form, status=400)


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
        if not allowed.filter(pk=data["commune"].departement_id).exists():
            form.add_error("commune", "Ce lieu de travail est hors de votre territoire.")
        elif scope.sirets_outside(advisor, [data["siret"]]):
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
    all_matches = scope.matches_for(request.advisor).filter(offer=offer)
    counts = dict(all_matches.order_by().values_list("state").annotate(count=Count("pk")))
    states = forms.MatchStateFilterForm(request.GET or None, counts=counts, total=sum(counts.values()))
    state = states.cleaned_data["etat"] if states.is_valid() else ""
    queryset = (all_matches.filter(state=state) if state else all_matches).select_related(
        "candidate__user", "candidate__commune"
    )
    page = Paginator(queryset.order_by("-is_active", "-score", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    matches = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    for match in matches:
        match.candidate_label = scope.candidate_name(request.advisor, match.candidate)
        match.candidate_place = scope.candidate_place(request.advisor, match.candidate)
    return render(
        request,
        "backoffice/offer_detail.html",
        {
            "title": f"Offre : {offer.trade.label} chez {offer.company.name}",
            "offer": offer,
            "matches": matches,
            "page": page,
            "query": query.urlencode(),
            "states": states,
            "state": state,
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
    candidate_visible = scope.shows_identity(request.advisor, match.candidate)
    match.reasons = matching_selectors.match_reasons(match)
    kit = matching_selectors.match_kit(match) if match.is_connected else None
    return render(
        request,
        "backoffice/match_detail.html",
        {
            "title": "Mise en relation",
            "match": match,
            "kit": kit,
            "kit_sides": [(side.label, kit.steps_for(side)) for side in Side] if kit else [],
            "form": forms.OutcomeForm(initial={"state": match.state}),
            "withdraw_form": forms.WithdrawForm() if _can_withdraw(match) else None,
            "candidate_visible": candidate_visible,
            "candidate_label": scope.candidate_name(request.advisor, match.candidate),
            "candidate_place": scope.candidate_place(request.advisor, match.candidate),
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


def _can_withdraw(match) -> bool:
    """Ce que `match_withdraw_by_hand` permet : une paire proposée à la main, active, sans suite encore."""
    return match.proposed_by_id is not None and match.is_active and match.state in OPEN_STATES


@require_POST
@advisor_required
def match_withdraw(request, pk):
    match = scope.get_in_scope(scope.matches_for(request.advisor), pk=pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
    elif not _can_withdraw(match):
        messages.error(request, "Seule une mise en relation proposée à la main, toujours en cours, peut être retirée.")
    else:
        try:
            services.match_withdraw_by_advisor(actor=request.user, match=match)
        except MatchTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Mise en relation retirée : elle n'est plus proposée.")
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


# --- Entreprises à vérifier -----------------------------------------------------------------------


def _companies_to_verify(advisor):
    """Les entreprises du territoire qui attendent un·e conseiller·e : à vérifier, signalées (signalements
    ouverts), ou sans membre avec une demande de rattachement."""
    reported = Report.objects.open().values("offer__company")
    orphan_requests = Company.objects.without_members().with_pending_requests().values("pk")
    return scope.companies_for(advisor).filter(
        Q(verification_status=VerificationStatus.TO_VERIFY) | Q(pk__in=reported) | Q(pk__in=orphan_requests)
    )


def _reason_labels(company) -> list[str]:
    return [
        VerificationReason(code).label for code in company.verification_reasons if code in VerificationReason.values
    ]


@advisor_required
def companies_to_verify(request):
    companies = (
        _companies_to_verify(request.advisor)
        .select_related("commune")
        .annotate(
            pending_requests=Count(
                "memberships", filter=Q(memberships__status=MembershipStatus.PENDING), distinct=True
            ),
            open_reports=Count("offers__reports", filter=Q(offers__reports__decision=""), distinct=True),
        )
        .order_by("created_at", "pk")
    )
    page = Paginator(companies, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"company": company, "reasons": _reason_labels(company)} for company in page]
    return render(
        request,
        "backoffice/companies_to_verify.html",
        {"title": "Entreprises à vérifier", "page": page, "rows": rows},
    )


def _company_in_scope(request, pk):
    return scope.get_in_scope(scope.companies_for(request.advisor).select_related("commune"), pk=pk)


@advisor_required
def company_review(request, pk):
    company = _company_in_scope(request, pk)
    memberships = company.memberships.exclude(status=MembershipStatus.REMOVED).select_related("user").order_by("pk")
    reported_offers = (
        company.offers.filter(reports__isnull=False)
        .select_related("trade")
        .prefetch_related("reports")
        .distinct()
        .order_by("-matching_suspended", "pk")
    )
    return render(
        request,
        "backoffice/company_review.html",
        {
            "title": f"Entreprise : {company.name}",
            "company": company,
            "reasons": _reason_labels(company),
            "members_count": sum(1 for m in memberships if m.is_approved),
            "pending": [m for m in memberships if m.is_pending],
            "reported_offers": [
                {"offer": offer, "open": [r for r in offer.reports.all() if not r.decision]}
                for offer in reported_offers
            ],
        },
    )


@require_POST
@advisor_required
def company_decide(request, pk):
    company = _company_in_scope(request, pk)
    decision = request.POST.get("decision")
    if decision not in ("verifier", "refuser"):
        messages.error(request, "Choisissez : vérifiée ou refusée.")
    else:
        services.company_decide_by_advisor(actor=request.user, company=company, verify=decision == "verifier")
        messages.success(
            request,
            "Entreprise vérifiée : ses offres sont proposées aux jeunes."
            if decision == "verifier"
            else "Entreprise refusée : ses offres ne sont plus proposées aux jeunes.",
        )
    return redirect("backoffice:company", pk=company.pk)


@require_POST
@advisor_required
def company_membership_decide(request, pk, membership_id):
    company = _company_in_scope(request, pk)
    membership = scope.get_in_scope(Membership.objects.filter(company=company), pk=membership_id)
    decision = request.POST.get("decision")
    if decision not in ("accepter", "refuser"):
        messages.error(request, "Choisissez : accepter ou refuser.")
        return redirect("backoffice:company", pk=company.pk)
    try:
        services.membership_decide_by_advisor(actor=request.user, membership=membership, approve=decision == "accepter")
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Demande acceptée." if decision == "accepter" else "Demande refusée.")
    return redirect("backoffice:company", pk=company.pk)


@require_POST
@advisor_required
def company_reports_decide(request, pk, offer_id):
    company = _company_in_scope(request, pk)
    offer = scope.get_in_scope(scope.offers_for(request.advisor).filter(company=company), pk=offer_id)
    decision = request.POST.get("decision")
    if decision not in ("garder", "retirer"):
        messages.error(request, "Choisissez : garder ou retirer l'offre.")
        return redirect("backoffice:company", pk=company.pk)
    services.offer_reports_decide_by_advisor(actor=request.user, offer=offer, keep=decision == "garder")
    messages.success(
        request,
        "Offre gardée : elle est de nouveau proposée aux jeunes."
        if decision == "garder"
        else "Offre retirée (archivée).",
    )
    return redirect("backoffice:company", pk=company.pk)
