"""Le second facteur des conseiller·es : activation (TOTP et codes de secours) et vérification."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from backoffice import forms, scope, services
from backoffice.scope import advisor_required
from core import ratelimit

LOCKED_MESSAGE = (
    "Votre double authentification est bloquée après trop de codes refusés : un e-mail vous a été envoyé. "
    "Elle se débloque d'elle-même après 24 heures, ou plus tôt sur demande à l'administration nationale."
)


def _safe_next(request, default="backoffice:home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = ("/conseiller/", reverse("admin:index")) if settings.ADMIN_ENABLED else ("/conseiller/",)
    if url.startswith(allowed) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


@advisor_required(verified=False)
def enrol(request):
    advisor = request.advisor
    if advisor.totp_confirmed:
        return redirect("backoffice:verify")
    services.totp_enrol_start(advisor=advisor)
    secret = advisor.get_totp_secret()
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit("backoffice-totp", str(request.user.pk), limit=5, period=300)
        if wait:
            form.add_error("code", f"Trop d'essais. Réessayez dans {max(1, wait // 60)} minute(s).")
        elif (codes := services.totp_confirm(advisor=advisor, code=form.cleaned_data["code"])) is not None:
            scope.mark_verified(request)
            return render(
                request,
                "backoffice/recovery_codes.html",
                {"title": "Vos codes de secours", "codes": codes},
            )
        else:
            form.add_error("code", "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et réessayez.")
    return render(
        request,
        "backoffice/enrol.html",
        {
            "title": "Activer la double authentification",
            "form": form,
            "secret": secret,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "uri": services.totp_provisioning_uri(advisor),
        },
    )


@advisor_required(verified=False)
def verify(request):
    advisor = request.advisor
    if not advisor.totp_confirmed:
        return redirect("backoffice:enrol")
    if scope.is_verified(request):
        return redirect(_safe_next(request))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.second_factor_is_locked(advisor=advisor):
            form.add_error(None, LOCKED_MESSAGE)
        elif wait := services.second_factor_wait(advisor=advisor):
            form.add_error("code", f"Trop d'essais. Patientez {wait} secondes avant de réessayer.")
        elif services.second_factor_verify(advisor=advisor, code=form.cleaned_data["code"]):
            scope.mark_verified(request)
            return redirect(_safe_next(request))
        elif services.second_factor_is_locked(advisor=advisor):
            form.add_error(None, LOCKED_MESSAGE)
        else:
            form.add_error("code", "Ce code n'est pas le bon, ou il a déjà servi. Attendez le suivant et réessayez.")
    return render(
        request,
        "backoffice/verify.html",
        {"title": "Vérification en deux étapes", "form": form, "next": _safe_next(request, "")},
    )
