from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from employers.decorators import employer_required
from employers.models import Company
from offers import services
from offers.forms import OfferForm
from offers.selectors import legal_context, member_offer

TRANSITION_SERVICES = {
    "publier": (services.offer_publish, "Votre offre est en ligne."),
    "prolonger": (services.offer_extend, "Votre offre est prolongée de 60 jours."),
    "archiver": (services.offer_archive, "Votre offre est archivée."),
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
        return redirect("matching:offer_detail", pk=offer.pk)
    return render(request, "offers/form.html", {"form": form, "title": "Déposer une offre", "offer": None})


@employer_required
def update(request, pk):
    offer = member_offer(request.user, pk)
    form = OfferForm(request.POST or None, user=request.user, offer=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, **form.offer_fields())
        except services.OfferTransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Votre offre est modifiée.")
        return redirect("matching:offer_detail", pk=offer.pk)
    return render(request, "offers/form.html", {"form": form, "title": "Modifier l'offre", "offer": offer})


@employer_required
def published(request, pk):
    offer = member_offer(request.user, pk)
    if not offer.is_published:
        return redirect("matching:offer_detail", pk=offer.pk)
    return render(
        request, "offers/published.html", {"offer": offer, "title": "Votre offre est en ligne", **legal_context(offer)}
    )


@require_POST
@employer_required
def transition(request, pk):
    offer = member_offer(request.user, pk)
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
        return redirect("matching:employer_home")
    return redirect("matching:offer_detail", pk=offer.pk)
