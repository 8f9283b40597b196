"""Les profils des jeunes : création accompagnée, fiche (lue au journal), proposition d'une offre à la main,
pause, clôture et reprise."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import diagnostics, forms, scope, selectors, services
from backoffice.enums import AuditAction
from backoffice.scope import advisor_required
from candidates.enums import SearchStatus
from core.phone import format_phone
from matching.services import MatchTransitionError
from offers.models import Offer


@advisor_required
def candidate_create(request):
    form = forms.CandidateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commune = data["commune"]
        if not scope.covers(request.advisor, commune):
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


def _candidate_page(request, candidate, propose_form=None, status=200):
    advisor = request.advisor
    matches = selectors.candidate_matches(candidate)
    is_searching = candidate.status == SearchStatus.SEARCHING
    fitting, missing = (
        diagnostics.proposals(candidate, selectors.proposable_offers(advisor, candidate)) if is_searching else ([], [])
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
    form = forms.ProposeForm(request.POST, offers=selectors.proposable_offers(request.advisor, candidate))
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
