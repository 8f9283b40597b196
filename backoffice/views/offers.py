"""Les offres vues par un·e conseiller·e : création pour une entreprise, fiche avec ses paires, modification et
clôture."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import forms, scope, selectors, services
from backoffice.scope import advisor_required
from backoffice.views.common import paginate, query_without
from offers.enums import OfferStatus
from offers.services import OfferTransitionError


@advisor_required
def offer_create(request):
    advisor = request.advisor
    form = forms.OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = scope.companies_for(advisor).filter(siret=data["siret"]).first()
        if not scope.covers(advisor, data["commune"]):
            form.add_error("commune", "Ce lieu de travail est hors de votre territoire.")
        elif scope.sirets_outside(advisor, [data["siret"]]):
            form.add_error("siret", "Cette entreprise est inscrite hors de votre territoire.")
        elif company is None and not data["company_name"]:
            form.add_error("company_name", "Nouvelle entreprise : indiquez son nom.")
        else:
            company = company or services.company_get_or_create(
                actor=request.user, siret=data["siret"], name=data["company_name"], commune=data["commune"]
            )
            offer = services.offer_create_for_company(actor=request.user, company=company, **form.offer_fields())
            messages.success(request, "Offre créée et publiée.")
            return redirect("backoffice:offer", pk=offer.pk)
    return render(request, "backoffice/offer_form.html", {"title": "Créer une offre pour un·e artisan·e", "form": form})


@advisor_required
def offer_detail(request, pk):
    offer = scope.get_in_scope(scope.offers_for(request.advisor).select_related("company", "trade", "commune"), pk=pk)
    counts = selectors.offer_match_counts(request.advisor, offer)
    states = forms.MatchStateFilterForm(request.GET or None, counts=counts, total=sum(counts.values()))
    state = states.cleaned_data["etat"] if states.is_valid() else ""
    page = paginate(request, selectors.offer_matches(request.advisor, offer, state=state))
    matches = list(page.object_list)
    query = query_without(request, "page")
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
        if not scope.covers(request.advisor, form.cleaned_data["commune"]):
            form.add_error("commune", "Ce lieu de travail est hors de votre territoire.")
        else:
            try:
                services.offer_update_by_advisor(actor=request.user, offer=offer, **form.offer_fields())
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
