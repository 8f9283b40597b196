"""« Et maintenant ? », la page commune aux deux côtés d'une paire en relation (`matching.kit`) : les étapes
jusqu'au contrat, cochées par chaque côté, et le contrat signé."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from matching import selectors, services
from matching.enums import CONNECTED_STATES, KitStep, MatchState, Side
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
