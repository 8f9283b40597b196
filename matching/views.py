"""Les réponses aux paires : le ou la candidat·e et l'employeur répondent « intéressé·e » ou non, l'employeur
donne la suite d'une paire en relation, et « Et maintenant ? », la page commune aux deux côtés d'une paire en
relation (`matching.kit`)."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from candidates.decorators import candidate_required
from employers.decorators import employer_required
from matching import selectors, services
from matching.enums import CONNECTED_STATES, OUTCOME_CHOICES, KitStep, MatchState, NoInterestReason, Side
from matching.forms import NoInterestForm
from matching.models import Match
from offers.models import Offer


def _side_of(request, match_id) -> tuple[Match, str]:
    """La paire en relation et le côté de la personne connectée (le ou la jeune, ou un membre approuvé de
    l'établissement de l'offre) ; 404 pour toute autre personne et pour une paire qui n'est pas en relation."""
    match = (
        Match.objects.filter(pk=match_id, state__in=CONNECTED_STATES)
        .select_related("candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune")
        .first()
    )
    if match is None:
        raise Http404("Mise en relation introuvable")
    if match.candidate.user_id == request.user.pk:
        return match, Side.CANDIDATE
    if request.user.is_employer and Offer.objects.for_member(request.user).filter(pk=match.offer_id).exists():
        return match, Side.EMPLOYER
    raise Http404("Mise en relation introuvable")


def _login_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@_login_required
def kit(request, match_id):
    match, side = _side_of(request, match_id)
    the_kit = selectors.match_kit(match)
    other = Side.EMPLOYER if side == Side.CANDIDATE else Side.CANDIDATE
    return render(
        request,
        "matching/kit.html",
        {
            "title": "Et maintenant ?",
            "match": match,
            "offer": match.offer,
            "kit": the_kit,
            "candidate_side": side == Side.CANDIDATE,
            "my_steps": the_kit.steps_for(side),
            "their_steps": the_kit.steps_for(other),
            "signed": match.state == MatchState.CONTRACT_SIGNED,
            "candidate_user": match.candidate.user,
        },
    )


@require_POST
@_login_required
def kit_step(request, match_id):
    match, side = _side_of(request, match_id)
    step, done = request.POST.get("step", ""), request.POST.get("done", "")
    if step not in KitStep.values or done not in ("oui", "non"):
        messages.error(request, "Choisissez une étape de la liste.")
        return redirect("matching:kit", match_id=match.pk)
    try:
        services.match_step_set(match=match, step=step, side=side, by_user=request.user, done=done == "oui")
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        label = KitStep(step).label
        messages.success(request, f"C'est noté : « {label} » {'fait' if done == 'oui' else 'à faire'}.")
    return redirect(f"{request.path.rsplit('/', 1)[0]}#etape-{step}")


@require_POST
@_login_required
def kit_signed(request, match_id):
    match, side = _side_of(request, match_id)
    try:
        services.match_set_outcome(match=match, state=MatchState.CONTRACT_SIGNED)
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Bravo pour ce contrat ! C'est noté."
            if side == Side.CANDIDATE
            else "Bravo pour ce recrutement ! C'est noté.",
        )
    return redirect("matching:kit", match_id=match.pk)


# --- Réponses aux paires -----------------------------------------------------------------------------------


@require_POST
@candidate_required
def candidate_answer(request, profile, match_id):
    match = get_object_or_404(Match, pk=match_id, candidate=profile)
    interested = request.POST.get("interested")
    if interested not in ("oui", "non"):
        messages.error(request, "Choisis « Je suis intéressé·e » ou « Pas intéressé·e ».")
        return redirect("candidates:home")
    try:
        services.match_candidate_answer(match=match, interested=interested == "oui")
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        if interested == "oui":
            messages.success(request, "C'est noté : l'employeur est prévenu de ton intérêt.")
        else:
            messages.info(request, "C'est noté : cette offre ne te sera plus proposée.")
    page = request.POST.get("page", "")
    query = f"?page={page}" if page.isdigit() and page != "1" else ""
    return redirect(f"{reverse('candidates:home')}{query}#mise-en-relation-{match.pk}")


def _member_match(request, pk, match_id) -> Match:
    """La paire de l'offre `pk`, si la personne est membre de son établissement ; 404 sinon (comme la page de
    l'offre, `offers.views.detail`)."""
    offer = get_object_or_404(
        Offer.objects.for_member(request.user).select_related("company", "trade", "commune"), pk=pk
    )
    return get_object_or_404(Match.objects.select_related("candidate__user", "offer"), pk=match_id, offer=offer)


@require_POST
@employer_required
def employer_answer(request, pk, match_id):
    match = _member_match(request, pk, match_id)
    interested = request.POST.get("interested") == "oui"
    reason = ""
    if not interested:
        form = NoInterestForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choisissez pourquoi ce profil ne vous intéresse pas.")
            return redirect("offers:detail", pk=pk)
        reason = NoInterestReason(form.cleaned_data["reason"])
    try:
        services.match_employer_answer(match=match, interested=interested, reason=reason)
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        match.refresh_from_db()
        if match.is_connected:
            messages.success(request, "Vous êtes en relation : ses coordonnées sont affichées ci-dessous.")
        elif interested:
            messages.success(request, "C'est noté : nous lui proposons votre offre.")
        else:
            messages.success(request, "C'est noté : ce profil ne vous sera plus proposé pour cette offre.")
    return redirect("offers:detail", pk=pk)


@require_POST
@employer_required
def employer_outcome(request, pk, match_id):
    match = _member_match(request, pk, match_id)
    states = {state.value: label for state, label in OUTCOME_CHOICES}
    state = request.POST.get("state", "")
    if state not in states:
        messages.error(request, "Choisissez où vous en êtes avec ce ou cette candidat·e.")
        return redirect("offers:detail", pk=pk)
    try:
        services.match_set_outcome(match=match, state=MatchState(state))
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"C'est noté : {states[state].lower()}.")
    return redirect("offers:detail", pk=pk)
