"""Les mises en relation : fiche (avec « Et maintenant ? » quand elle est établie), issue du contact et
retrait d'une paire proposée à la main."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import forms, scope, services
from backoffice.scope import advisor_required
from matching import selectors as matching_selectors
from matching.enums import OPEN_STATES, Side
from matching.services import MatchTransitionError


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
