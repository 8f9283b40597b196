import functools

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import limits, roles
from core import ratelimit
from employers import companies_api, services, tasks, validators
from employers.decorators import employer_required
from employers.enums import SIGNUP_SIRET_SESSION_KEY, MembershipStatus
from employers.forms import CompanyAddForm, EmployerSignupCompleteForm, EmployerSignupForm
from employers.models import Company, Membership
from geo.models import Commune

DIRECTORY_DOWN_MESSAGE = (
    "L'annuaire des entreprises ne répond pas en ce moment : nous n'avons pas pu vérifier votre SIRET. "
    "Votre inscription est bien enregistrée ; un·e conseiller·e de la CMA vérifiera votre entreprise. "
    "D'ici là, vos offres sont en ligne mais ne sont pas encore proposées aux jeunes."
)


def _directory_check(form) -> companies_api.DirectoryCheck | None:
    """Cherche le SIRET dans l'annuaire ; s'il est inconnu ou fermé, l'erreur va sur le champ et None."""
    check = companies_api.establishment_check(form.cleaned_data["siret"])
    if check.refused:
        form.add_error("siret", check.error)
        return None
    return check


def _proconnect(request, siret: str) -> bool:
    """Le SIRET est celui que ProConnect a attesté pour cette session (voir franceconnect.views)."""
    return bool(siret) and request.session.get(SIGNUP_SIRET_SESSION_KEY) == siret


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
        wait = limits.ip_wait(request, "employer-signup", limits.EMPLOYER_SIGNUP_LIMITS_PER_IP)
        if wait:
            form.add_error(
                None, f"Trop d'inscriptions depuis votre connexion. Réessayez dans {max(1, wait // 60)} minute(s)."
            )
        elif (check := _directory_check(form)) is not None:
            # L'annuaire ne dépend que du SIRET. La tâche cherche un compte existant et envoie le lien : la
            # réponse est la même pour toute adresse (voir accounts.views.login_view).
            data = form.cleaned_data
            if limits.address_allowed(request, data["email"]):
                transaction.on_commit(
                    functools.partial(
                        tasks.employer_signup.enqueue,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        phone=data["phone"],
                        siret=data["siret"],
                        company_name=data["company_name"],
                        commune_code=data["commune"].code,
                        naf_code=data["naf_code"],
                        staff_band=data["staff_band"],
                        directory=check.to_data(),
                        proconnect=_proconnect(request, data["siret"]),
                    )
                )
            if check.status == companies_api.CheckStatus.UNAVAILABLE:
                messages.warning(request, DIRECTORY_DOWN_MESSAGE)
            request.session["login_email_sent"] = True
            return redirect("accounts:link_sent")
    return render(request, "employers/signup.html", {"form": form, "title": "Inscription employeur"})


def _join(request, form, join, *, done: str = "") -> bool:
    """Vérifie le SIRET dans l'annuaire puis rattache le compte à l'établissement par `join`
    (`company_join_or_create` ou `employer_signup_complete`) ; True si c'est fait, messages posés."""
    if not form.is_valid() or (check := _directory_check(form)) is None:
        return False
    data = form.cleaned_data
    try:
        membership = join(
            user=request.user,
            siret=data["siret"],
            name=data["company_name"],
            commune=data["commune"],
            naf_code=data["naf_code"],
            staff_band=data["staff_band"],
            directory=check,
            proconnect=_proconnect(request, data["siret"]),
            **({"phone": data["phone"]} if "phone" in data else {}),
        )
    except services.MembershipError as error:
        form.add_error("siret", str(error))
        return False
    request.session.pop(SIGNUP_SIRET_SESSION_KEY, None)
    messages.success(request, f"{done} {_join_message(membership)}".strip())
    if check.status == companies_api.CheckStatus.UNAVAILABLE and membership.is_approved:
        messages.warning(request, DIRECTORY_DOWN_MESSAGE)
    return True


@employer_required
def signup_complete(request):
    """Compte ouvert par ProConnect, sans établissement : il ne reste que le téléphone et l'établissement."""
    form = EmployerSignupCompleteForm(
        request.POST or None, initial={"phone": request.user.phone, **_pending_siret(request)}
    )
    if request.method == "POST" and _join(
        request, form, services.employer_signup_complete, done="Votre inscription est terminée."
    ):
        return redirect("matching:employer_home")
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
        return JsonResponse({"found": False, "message": "Ce SIRET n'est pas valide : vérifiez les 14 chiffres."})
    if ratelimit.hit("company-lookup-ip", ratelimit.client_ip(request), limit=60, period=3600):
        return JsonResponse(
            {"found": False, "message": "Trop de recherches d'entreprise : remplissez les champs vous-même."}
        )
    check = companies_api.establishment_check(siret)
    if check.status != companies_api.CheckStatus.FOUND:
        message = check.error or (
            "L'annuaire des entreprises ne répond pas : remplissez les champs vous-même, nous vérifierons plus tard."
        )
        return JsonResponse({"found": False, "message": message})
    info = check.info
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


def _join_message(membership: Membership) -> str:
    company = membership.company
    if membership.is_approved:
        return f"L'établissement {company.name} est ajouté à votre compte."
    who = "ses membres" if company.members.exists() else "un·e conseiller·e de la CMA de son territoire"
    return (
        f"Votre demande pour rejoindre l'établissement {company.siret} est envoyée : {who} doit l'accepter. "
        "D'ici là, vous ne voyez ni ses offres ni ses candidat·es."
    )


@employer_required
def company_add(request):
    form = CompanyAddForm(request.POST or None, initial=_pending_siret(request))
    if request.method == "POST" and _join(request, form, services.company_join_or_create):
        return redirect("matching:employer_home")
    return render(request, "employers/company_add.html", {"form": form, "title": "Ajouter un établissement"})


def _membership_of_my_company(request, pk) -> Membership:
    """Un rattachement d'un établissement dont la personne est membre approuvé ; 404 sinon."""
    return get_object_or_404(
        Membership.objects.select_related("company", "user").filter(
            company__in=Company.objects.for_member(request.user).values("pk")
        ),
        pk=pk,
    )


@employer_required
def membership_request(request, pk):
    """La demande d'une personne qui veut rejoindre l'établissement : le lien de l'e-mail ouvre cette page, qui
    n'écrit rien ; la décision part du bouton (POST)."""
    membership = _membership_of_my_company(request, pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("accepter", "refuser"):
            messages.error(request, "Choisissez : accepter ou refuser.")
            return redirect("employers:membership_request", pk=pk)
        try:
            services.membership_decide(membership=membership, by=request.user, approve=decision == "accepter")
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect("employers:membership_request", pk=pk)
        name = membership.user.get_full_name()
        messages.success(
            request,
            f"{name} a rejoint {membership.company.name}."
            if decision == "accepter"
            else f"La demande de {name} est refusée : cette personne n'a accès à rien de votre établissement.",
        )
        return redirect("employers:company_members", pk=membership.company_id)
    return render(
        request,
        "employers/membership_request.html",
        {"title": "Demande pour rejoindre votre établissement", "membership": membership},
    )


@employer_required
def company_members(request, pk):
    company = get_object_or_404(Company.objects.for_member(request.user), pk=pk)
    memberships = (
        company.memberships.filter(status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING])
        .select_related("user")
        .order_by("status", "requested_at")
    )
    return render(
        request,
        "employers/company_members.html",
        {"title": f"Membres de {company.name}", "company": company, "memberships": memberships},
    )


@require_POST
@employer_required
def member_remove(request, pk, membership_id):
    company = get_object_or_404(Company.objects.for_member(request.user), pk=pk)
    membership = get_object_or_404(Membership, pk=membership_id, company=company)
    try:
        services.member_remove(membership=membership, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("employers:company_members", pk=company.pk)
    if membership.user_id == request.user.pk:
        messages.success(request, f"Vous avez quitté {company.name}.")
        return redirect("matching:employer_home")
    messages.success(request, f"{membership.user.get_full_name()} ne fait plus partie de {company.name}.")
    return redirect("employers:company_members", pk=company.pk)
