from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from core.enums import DiplomaLevel
from core.phone import format_phone
from employers.decorators import employer_required
from employers.models import Company
from matching.enums import CONNECTED_STATES, OPEN_STATES, OUTCOME_CHOICES, NoInterestReason
from matching.models import Match
from offers import legal, services
from offers.forms import OfferForm
from offers.models import Offer

CANDIDATES_PER_PAGE = 20
TRANSITION_SERVICES = {
    "publier": (services.offer_publish, "Votre offre est en ligne."),
    "prolonger": (services.offer_extend, "Votre offre est prolongée de 60 jours."),
    "archiver": (services.offer_archive, "Votre offre est archivée."),
}


def _member_offer(request, pk) -> Offer:
    """L'offre, si la personne est membre de son établissement ; 404 sinon. `for_member` filtre par une
    sous-requête (une ligne par offre) : pas de DISTINCT, qui trierait toutes les colonnes, description comprise."""
    return get_object_or_404(
        Offer.objects.for_member(request.user).select_related("company", "trade", "commune"), pk=pk
    )


def legal_context(offer: Offer) -> dict:
    """Ce que dit la loi pour cette offre (voir offers/legal.py) : les montants en vigueur le jour où le contrat
    commencerait, dans le département de l'offre."""
    today = timezone.localdate()
    start = max(offer.start_date or today, today)
    departement = offer.commune.departement_id if offer.commune_id else legal.ALL_FRANCE
    smic = legal.smic_on(start, departement)
    aid = legal.hiring_aid_by_level(
        levels=offer.levels, under_250=offer.company.under_250, concluded_on=today, starts_on=start
    )
    aid_fact = legal.hiring_aid_on(today)
    return {
        "pay_table": legal.minimum_pay_table(day=start, departement=departement),
        "pay_day": start,
        "smic": smic.value if smic else None,
        "smic_source": smic.source if smic else "",
        "pay_source": legal.fact_on("pay_percents", start).source,
        "hiring_aid": [(DiplomaLevel(level).label, amount) for level, amount in aid],
        "hiring_aid_disabled_max": aid_fact.value.disabled_max if aid_fact else None,
        "hiring_aid_fact": aid_fact,
        "minor_rules": (
            legal.minor_rules(night_or_early_work=offer.night_or_early_work, trade_code=offer.trade.code)
            if offer.accepts_minors
            else []
        ),
        "minors_source": legal.MINORS_SOURCE,
    }


@employer_required
def create(request):
    if not Company.objects.for_member(request.user).exists():
        messages.info(request, "Ajoutez d'abord votre établissement.")
        return redirect("employers:company_add")
    form = OfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") != "brouillon"
        offer = services.offer_create(company=form.get_company(), publish=publish, **form.offer_fields())
        if publish:
            return redirect("offers:published", pk=offer.pk)
        messages.success(request, "Votre brouillon est enregistré. Publiez-le quand vous voulez.")
        return redirect("offers:detail", pk=offer.pk)
    return render(request, "offers/form.html", {"form": form, "title": "Déposer une offre", "offer": None})


@employer_required
def update(request, pk):
    offer = _member_offer(request, pk)
    form = OfferForm(request.POST or None, user=request.user, offer=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, **form.offer_fields())
        except services.OfferTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Votre offre est modifiée.")
        return redirect("offers:detail", pk=offer.pk)
    return render(request, "offers/form.html", {"form": form, "title": "Modifier l'offre", "offer": offer})


@employer_required
def published(request, pk):
    offer = _member_offer(request, pk)
    if not offer.is_published:
        return redirect("offers:detail", pk=offer.pk)
    return render(
        request, "offers/published.html", {"offer": offer, "title": "Votre offre est en ligne", **legal_context(offer)}
    )


ADULT_AGE = 18


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


def _candidate_card(match: Match, today) -> dict:
    """Ce que l'employeur voit d'un·e candidat·e : pseudonyme tant que l'intérêt n'est pas mutuel (initiale et
    tranche d'âge pour un·e mineur·e)."""
    profile, user = match.candidate, match.candidate.user
    age, connected = profile.age_on(today), match.is_connected
    card = {
        "match": match,
        "display_name": display_name(user, age=age, connected=connected),
        "age": age_label(age, connected=connected),
        "commune": profile.commune.name if profile.commune else "",
        "distance_km": round(match.distance_km),
        "level": DiplomaLevel(profile.level).label if profile.level else "",
        "trades": [trade.label for trade in profile.trades.all()],
        "available_from": profile.available_from,
        "has_driving_licence": profile.has_driving_licence,
        "has_vehicle": profile.has_vehicle,
        "presentation": profile.presentation,
        "connected": match.is_connected,
    }
    if match.is_connected:
        card.update(full_name=user.get_full_name(), email=user.email, phone=format_phone(user.phone))
    return card


@employer_required
def detail(request, pk):
    offer = _member_offer(request, pk)
    today = timezone.localdate()
    # En relation : toutes ; en attente d'une réponse : par pages (une offre en a souvent des centaines).
    matches = Match.objects.for_offer(offer).select_related("candidate__user", "candidate__commune").best_first()
    connected = list(matches.filter(state__in=CONNECTED_STATES))
    page = Paginator(matches.active().filter(state__in=OPEN_STATES), CANDIDATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = connected + list(page.object_list)
    prefetch_related_objects(shown, "candidate__trades")  # une requête pour les deux listes
    cards = [_candidate_card(match, today) for match in shown]
    return render(
        request,
        "offers/detail.html",
        {
            "offer": offer,
            "title": f"Offre : {offer.trade.label}",
            "connected": cards[: len(connected)],
            "proposed": cards[len(connected) :],
            "page": page,
            # Les motifs du refus, rendus une fois pour toutes les cartes de la page.
            "reason_options": format_html_join("", '<option value="{}">{}</option>', NoInterestReason.choices),
            "outcome_choices": OUTCOME_CHOICES,
            "can_publish": services.can(offer, services.OfferAction.PUBLISH),
            "can_extend": services.can(offer, services.OfferAction.EXTEND),
            "can_archive": services.can(offer, services.OfferAction.ARCHIVE),
            "can_edit": offer.status in services.EDITABLE_STATUSES,
            **legal_context(offer),
        },
    )


@require_POST
@employer_required
def transition(request, pk):
    offer = _member_offer(request, pk)
    action = request.POST.get("action", "")
    if action not in TRANSITION_SERVICES:
        raise Http404("Action inconnue")
    service, success = TRANSITION_SERVICES[action]
    try:
        service(offer=offer)
    except services.OfferTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
        if action == "publier":
            return redirect("offers:published", pk=offer.pk)
    if request.POST.get("next") == "home":
        return redirect("employers:home")
    return redirect("offers:detail", pk=offer.pk)
