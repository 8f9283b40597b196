"""L'espace de l'employeur : ses offres et le nombre de leurs paires, une offre et ses candidat·es (pseudonymes
tant que l'intérêt n'est pas mutuel), sa réponse à chaque paire et la suite d'une paire en relation."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from candidates.models import CandidateProfile
from core.enums import DiplomaLevel
from core.links import reverse_each
from core.phone import format_phone
from employers.decorators import employer_required
from employers.enums import MembershipStatus, VerificationReason, VerificationStatus
from employers.models import Company, Membership
from matching import services
from matching.enums import CONNECTED_STATES, OUTCOME_CHOICES, MatchState, NoInterestReason
from matching.forms import NoInterestForm
from matching.models import Match
from matching.selectors import offers_with_match_counts
from offers import services as offer_services
from offers.models import Offer
from offers.selectors import legal_context, member_offer

CANDIDATES_PER_PAGE = 20
ADULT_AGE = 18


def _verification_notice(company: Company) -> str:
    if company.verification_status == VerificationStatus.REJECTED:
        return (
            "La CMA n'a pas pu confirmer cette entreprise : ses offres ne sont pas proposées aux jeunes. "
            "Contactez la chambre de métiers et de l'artisanat de votre territoire."
        )
    reasons = [
        VerificationReason(code).label.lower()
        for code in company.verification_reasons
        if code in VerificationReason.values
    ]
    return (
        "Entreprise en cours de vérification par un·e conseiller·e de la CMA"
        + (f" ({', '.join(reasons)})" if reasons else "")
        + " : vos offres sont en ligne, mais ne sont proposées aux jeunes qu'une fois l'entreprise vérifiée."
    )


@employer_required
def employer_home(request):
    companies = list(Company.objects.for_member(request.user).order_by("name"))
    offers = offers_with_match_counts(
        Offer.objects.filter(company__in=companies).select_related("trade", "company", "commune")
    ).order_by("status_rank", "-created_at")
    my_requests = (
        Membership.objects.filter(user=request.user)
        .exclude(status=MembershipStatus.APPROVED)
        .exclude(status=MembershipStatus.REMOVED)
        .annotate(company_has_members=Exists(Membership.objects.approved().filter(company=OuterRef("company"))))
        .select_related("company")
        .order_by("-requested_at")
    )
    requests_to_decide = (
        Membership.objects.pending()
        .filter(company__in=companies)
        .select_related("company", "user")
        .order_by("requested_at")
    )
    return render(
        request,
        "matching/employer_home.html",
        {
            "title": "Mes offres",
            "companies": companies,
            "unverified": [
                (company, _verification_notice(company)) for company in companies if not company.is_verified
            ],
            "offers": offers,
            "my_requests": my_requests,
            "requests_to_decide": requests_to_decide,
        },
    )


def age_label(age: int, *, connected: bool) -> str:
    """L'âge montré à l'employeur : une tranche pour un·e mineur·e tant que l'intérêt n'est pas mutuel."""
    if connected or age >= ADULT_AGE:
        return f"{age} ans"
    return "16-17 ans" if age >= 16 else "moins de 16 ans"


def display_name(user, *, age: int, connected: bool) -> str:
    """Prénom et initiale du nom ; pour un·e mineur·e, l'initiale du prénom seulement, tant que l'intérêt
    n'est pas mutuel."""
    if not connected and age < ADULT_AGE:
        return f"{user.first_name[:1]}." if user.first_name else "Candidat·e"
    return f"{user.first_name} {user.last_name[:1]}.".strip() if user.last_name else user.first_name


# Le badge d'une paire qui attend une réponse (en relation : son état).
WAITING_BADGES = {
    MatchState.CANDIDATE_INTERESTED: ("success", "Intéressé·e par votre offre"),
    MatchState.EMPLOYER_INTERESTED: ("info", "En attente de sa réponse"),
}


def _candidate_card(match: Match, today, trades: list[str], links: dict) -> dict:
    """Ce que l'employeur voit d'un·e candidat·e : pseudonyme tant que l'intérêt n'est pas mutuel (initiale et
    tranche d'âge pour un·e mineur·e). Libellés et adresses prêts à afficher : les cartes sont le gros de la page."""
    profile, user = match.candidate, match.candidate.user
    age, connected = profile.age_on(today), match.is_connected
    card = {
        "id": str(match.pk),  # en texte : un entier serait mis au format local à chaque emploi
        "name": display_name(user, age=age, connected=connected),
        "age": age_label(age, connected=connected),
        "badge": ("success", match.get_state_display()) if connected else WAITING_BADGES.get(match.state),
        "commune": profile.commune.name if profile.commune else "",
        "distance_km": round(match.distance_km),
        "level": DiplomaLevel(profile.level).label if profile.level else "",
        "trades": ", ".join(trades),
        "available_from": profile.available_from,
        "has_driving_licence": profile.has_driving_licence,
        "has_vehicle": profile.has_vehicle,
        "presentation": profile.presentation,
        "connected": connected,
        "outcome_url": None,
        "answer_url": None,
    }
    if connected:
        phone = format_phone(user.phone)
        card.update(
            name=user.get_full_name(),
            email=user.email,
            phone=phone,
            phone_link=phone.replace(" ", ""),
            kit_url=links["kit"](match.pk),
        )
        if match.state != MatchState.CONTRACT_SIGNED:
            card.update(
                outcome_url=links["outcome"](match.pk),
                outcomes=[(value, label) for value, label in OUTCOME_CHOICES if value != match.state],
            )
    elif match.state != MatchState.EMPLOYER_INTERESTED:
        card["answer_url"] = links["answer"](match.pk)
    return card


@employer_required
def offer_detail(request, pk):
    offer = member_offer(request.user, pk)
    today = timezone.localdate()
    # En relation d'abord, puis en attente d'une réponse, 20 par page en tout : une offre en a souvent des
    # centaines, et celles en relation s'accumulent avec les années.
    shown = Match.objects.for_offer(offer).shown_to_employer()
    counts = shown.aggregate(connected=Count("pk", filter=Q(state__in=CONNECTED_STATES)), total=Count("pk"))
    paginator = Paginator(shown.select_related("candidate__user", "candidate__commune"), CANDIDATES_PER_PAGE)
    paginator.count = counts["total"]  # déjà compté ci-dessus : pas de seconde requête COUNT
    page = paginator.get_page(request.GET.get("page"))
    matches = list(page.object_list)
    trades = CandidateProfile.objects.filter(pk__in=[match.candidate_id for match in matches]).trade_labels()
    links = {
        "kit": reverse_each("matching:kit"),
        "outcome": reverse_each("matching:employer_outcome", offer.pk),
        "answer": reverse_each("matching:employer_answer", offer.pk),
    }
    cards = [_candidate_card(match, today, trades[match.candidate_id], links) for match in matches]
    return render(
        request,
        "matching/offer_detail.html",
        {
            "offer": offer,
            "title": f"Offre : {offer.trade.label}",
            "connected": [card for card in cards if card["connected"]],
            "proposed": [card for card in cards if not card["connected"]],
            "connected_count": counts["connected"],
            "proposed_count": counts["total"] - counts["connected"],
            # La page où commencent les candidat·es en attente d'une réponse, quand elles et ils sont plus loin.
            "proposed_page": counts["connected"] // CANDIDATES_PER_PAGE + 1,
            "page": page,
            "page_number": str(page.number),
            # Les motifs du refus, rendus une fois pour toutes les cartes de la page.
            "reason_options": format_html_join("", '<option value="{}">{}</option>', NoInterestReason.choices),
            "can_publish": offer_services.can(offer, offer_services.OfferAction.PUBLISH),
            "can_extend": offer_services.can(offer, offer_services.OfferAction.EXTEND),
            "can_archive": offer_services.can(offer, offer_services.OfferAction.ARCHIVE),
            "can_edit": offer.status in offer_services.EDITABLE_STATUSES,
            **legal_context(offer),
        },
    )


def _back_to_card(offer: Offer, match: Match, page: str) -> str:
    """La page de l'offre qui montre la carte de la paire après une réponse : elle change de page quand la paire
    passe en relation ; si elle n'est plus montrée (refus, pas de suite), la page d'où venait la réponse."""
    shown = list(Match.objects.for_offer(offer).shown_to_employer().values_list("pk", flat=True))
    if match.pk in shown:
        number, anchor = shown.index(match.pk) // CANDIDATES_PER_PAGE + 1, f"candidat-{match.pk}"
    else:
        number, anchor = int(page) if page.isdigit() and int(page) > 0 else 1, "candidats"
    query = f"?page={number}" if number > 1 else ""
    return f"{reverse('matching:offer_detail', args=[offer.pk])}{query}#{anchor}"


def _member_match(request, pk, match_id) -> Match:
    """La paire de l'offre `pk`, si la personne est membre de son établissement ; 404 sinon (comme la page de
    l'offre, `offer_detail`)."""
    offer = member_offer(request.user, pk)
    return get_object_or_404(Match.objects.select_related("candidate__user", "offer"), pk=match_id, offer=offer)


@require_POST
@employer_required
def employer_answer(request, pk, match_id):
    match = _member_match(request, pk, match_id)
    back = request.POST.get("page", "")
    interested = request.POST.get("interested") == "oui"
    reason = ""
    if not interested:
        form = NoInterestForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choisissez pourquoi ce profil ne vous intéresse pas.")
            return redirect(_back_to_card(match.offer, match, back))
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
    return redirect(_back_to_card(match.offer, match, back))


@require_POST
@employer_required
def employer_outcome(request, pk, match_id):
    match = _member_match(request, pk, match_id)
    back = request.POST.get("page", "")
    states = {state.value: label for state, label in OUTCOME_CHOICES}
    state = request.POST.get("state", "")
    if state not in states:
        messages.error(request, "Choisissez où vous en êtes avec ce ou cette candidat·e.")
        return redirect(_back_to_card(match.offer, match, back))
    try:
        services.match_set_outcome(match=match, state=MatchState(state))
    except services.MatchTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"C'est noté : {states[state].lower()}.")
    return redirect(_back_to_card(match.offer, match, back))
