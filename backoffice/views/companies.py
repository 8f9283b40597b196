"""Les entreprises qui attendent un·e conseiller·e : liste, fiche, vérification, demandes de rattachement
et signalements de leurs offres."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice import scope, selectors, services
from backoffice.scope import advisor_required
from backoffice.views.common import paginate
from employers.enums import VerificationReason
from employers.models import Membership
from employers.services import MembershipError


def _reason_labels(company) -> list[str]:
    return [
        VerificationReason(code).label for code in company.verification_reasons if code in VerificationReason.values
    ]


@advisor_required
def companies_to_verify(request):
    page = paginate(request, selectors.companies_to_verify_with_counts(request.advisor))
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
    memberships = selectors.company_memberships(company)
    reported_offers = selectors.company_reported_offers(company)
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
