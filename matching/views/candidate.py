"""L'espace du ou de la candidat·e : ses paires, les meilleures d'abord, sa réponse à chacune et le signalement
d'une offre."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from candidates.decorators import candidate_required, next_onboarding_url
from candidates.enums import SearchStatus
from core.links import reverse_each
from employers.models import Membership
from matching import services
from matching.enums import MatchState
from matching.forms import ReportForm
from matching.models import Match
from matching.selectors import match_reasons
from offers.services import ReportError, report_create

STATE_BADGES = {
    MatchState.PROPOSED: ("new", "Nouvelle : à toi de répondre"),
    MatchState.EMPLOYER_INTERESTED: ("new", "L'employeur est intéressé : à toi de répondre"),
    MatchState.CANDIDATE_INTERESTED: ("info", "En attente de la réponse de l'employeur"),
    MatchState.CONNECTED: ("success", "En relation"),
    MatchState.INTERVIEW: ("success", "Entretien"),
    MatchState.CONTRACT_SIGNED: ("success", "Contrat signé"),
    MatchState.NO_FOLLOW_UP: ("warning", "Pas de suite"),
    MatchState.EXPIRED: ("warning", "Offre expirée"),
}


# Les mises en relation d'un profil, les meilleures d'abord, par pages (un profil en a souvent des dizaines).
MATCHES_PER_PAGE = 10


def _employer_contacts(matches) -> dict[int, User]:
    """Le contact de l'employeur (son premier membre) par établissement, pour les seules paires en relation :
    une requête pour toutes les paires, aucune s'il n'y en a pas."""
    company_ids = {match.offer.company_id for match in matches if match.is_connected}
    if not company_ids:
        return {}
    contacts: dict[int, User] = {}
    memberships = (
        Membership.objects.approved()
        .filter(company_id__in=company_ids, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for membership in memberships:
        contacts.setdefault(membership.company_id, membership.user)
    return contacts


@candidate_required
def candidate_home(request, profile):
    if not profile.is_complete:
        return redirect(next_onboarding_url(profile))
    page = Paginator(
        Match.objects.for_candidate(profile)
        .active()
        .best_first()
        .select_related("offer__trade", "offer__company", "offer__commune"),
        MATCHES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    matches = list(page.object_list)
    contacts = _employer_contacts(matches)
    answer_url, report_url, kit_url = (
        reverse_each(name) for name in ("matching:candidate_answer", "matching:candidate_report", "matching:kit")
    )
    # Libellés et adresses prêts à afficher : les cartes sont le gros de la page.
    for match in matches:
        match.candidate = profile  # les raisons de la paire lisent le profil : déjà chargé
        match.key = str(match.pk)  # en texte : un entier serait mis au format local à chaque emploi
        match.title = f"{match.offer.trade.label} chez {match.offer.company.name}"
        match.reasons = match_reasons(match)
        match.badge = STATE_BADGES.get(match.state, ("info", match.get_state_display()))
        match.answer_url = (
            answer_url(match.pk) if match.state in (MatchState.PROPOSED, MatchState.EMPLOYER_INTERESTED) else None
        )
        match.report_url = report_url(match.pk)
        match.contact = contacts.get(match.offer.company_id) if match.is_connected else None
        match.kit_url = kit_url(match.pk) if match.contact else None
    return render(
        request,
        "matching/candidate_home.html",
        {
            "title": "Mes mises en relation",
            "profile": profile,
            "matches": matches,
            "page": page,
            "page_number": str(page.number),
            "is_searching": profile.status == SearchStatus.SEARCHING,
        },
    )


@require_POST
@candidate_required
def candidate_answer(request, profile, match_id):
    match = get_object_or_404(Match, pk=match_id, candidate=profile)
    interested = request.POST.get("interested")
    if interested not in ("oui", "non"):
        messages.error(request, "Choisis « Je suis intéressé·e » ou « Pas intéressé·e ».")
        return redirect("matching:candidate_home")
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
    return redirect(f"{reverse('matching:candidate_home')}{query}#mise-en-relation-{match.pk}")


@candidate_required
def candidate_report(request, profile, match_id):
    """Signaler l'offre d'une mise en relation, ou son employeur, aux conseiller·es de la CMA."""
    match = get_object_or_404(
        Match.objects.select_related("offer__trade", "offer__company"), pk=match_id, candidate=profile
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(
                offer=match.offer,
                reporter=request.user,
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except ReportError as error:
            messages.info(request, str(error))
        else:
            messages.success(
                request, "Merci : ton signalement est transmis aux conseiller·es de la CMA, qui vont vérifier."
            )
        return redirect(f"{reverse('matching:candidate_home')}#mise-en-relation-{match.pk}")
    return render(
        request,
        "matching/candidate_report.html",
        {"title": "Signaler une offre", "form": form, "match": match, "offer": match.offer},
    )
