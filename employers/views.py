from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts import roles
from core import ratelimit
from employers import companies_api, services, validators
from employers.decorators import employer_required
from employers.enums import SIGNUP_SIRET_SESSION_KEY
from employers.forms import CompanyAddForm, EmployerSignupCompleteForm, EmployerSignupForm
from employers.models import Company
from geo.models import Commune
from offers.models import Offer


def _pending_siret(request) -> dict:
    """Le SIRET transmis par ProConnect (établissement encore inconnu ici), proposé dans le formulaire."""
    siret = request.session.get(SIGNUP_SIRET_SESSION_KEY, "")
    return {"siret": siret} if siret else {}


def signup(request):
    if request.user.is_authenticated:
        if request.user.is_employer and not Company.objects.for_member(request.user).exists():
            return signup_complete(request)
        return redirect(roles.home_url(request.user))
    form = EmployerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit("employer-signup-ip", ratelimit.client_ip(request), limit=20, period=3600)
        if wait:
            form.add_error(
                None, f"Trop d'inscriptions depuis votre connexion. Réessayez dans {max(1, wait // 60)} minute(s)."
            )
        else:
            data = form.cleaned_data
            services.employer_signup(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                siret=data["siret"],
                company_name=data["company_name"],
                commune=data["commune"],
                naf_code=data["naf_code"],
                staff_band=data["staff_band"],
            )
            request.session["login_email_sent"] = True
            return redirect("accounts:link_sent")
    return render(request, "employers/signup.html", {"form": form, "title": "Inscription employeur"})


@employer_required
def signup_complete(request):
    """Compte ouvert par ProConnect, sans établissement : il ne reste que le téléphone et l'établissement."""
    form = EmployerSignupCompleteForm(
        request.POST or None, initial={"phone": request.user.phone, **_pending_siret(request)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = services.employer_signup_complete(
            user=request.user,
            phone=data["phone"],
            siret=data["siret"],
            company_name=data["company_name"],
            commune=data["commune"],
            naf_code=data["naf_code"],
            staff_band=data["staff_band"],
        )
        request.session.pop(SIGNUP_SIRET_SESSION_KEY, None)
        messages.success(request, f"Votre inscription est terminée : l'établissement {company.name} est ajouté.")
        return redirect("employers:home")
    return render(
        request,
        "employers/signup_complete.html",
        {"form": form, "title": "Terminer mon inscription employeur"},
    )


@require_GET
def company_lookup(request):
    """JSON pour pré-remplir le formulaire depuis l'annuaire des entreprises ; `{"found": false}` sinon."""
    try:
        siret = validators.clean_siret(request.GET.get("siret", ""))
    except Exception:
        return JsonResponse({"found": False})
    if ratelimit.hit("company-lookup-ip", ratelimit.client_ip(request), limit=60, period=3600):
        return JsonResponse({"found": False})
    info = companies_api.company_lookup(siret)
    if info is None:
        return JsonResponse({"found": False})
    commune = Commune.objects.filter(code=info.commune_code).prefetch_related("postal_codes").first()
    return JsonResponse(
        {
            "found": True,
            "name": info.name,
            "commune": commune.label if commune else "",
            "naf_code": info.naf_code,
            "staff_band": info.staff_band,
        }
    )


@employer_required
def home(request):
    companies = list(Company.objects.for_member(request.user).order_by("name"))
    offers = (
        Offer.objects.filter(company__in=companies)
        .select_related("trade", "company", "commune")
        .with_match_counts()
        .order_by("status_rank", "-created_at")
    )
    return render(
        request,
        "employers/home.html",
        {"title": "Mes offres", "companies": companies, "offers": offers},
    )


@employer_required
def company_add(request):
    form = CompanyAddForm(request.POST or None, initial=_pending_siret(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = services.company_join_or_create(
            user=request.user,
            siret=data["siret"],
            name=data["company_name"],
            commune=data["commune"],
            naf_code=data["naf_code"],
            staff_band=data["staff_band"],
        )
        request.session.pop(SIGNUP_SIRET_SESSION_KEY, None)
        messages.success(request, f"L'établissement {company.name} est ajouté à votre compte.")
        return redirect("employers:home")
    return render(request, "employers/company_add.html", {"form": form, "title": "Ajouter un établissement"})
