from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import roles, services
from accounts.forms import LoginForm
from accounts.models import User
from core import ratelimit

LINK_ERRORS = {
    "inconnu": "Ce lien de connexion n'est pas valide. Il a peut-être été mal copié.",
    "utilise": "Ce lien de connexion a déjà servi : chaque lien ne marche qu'une fois.",
    "expire": "Ce lien de connexion a expiré : il n'est valable que 15 minutes.",
}


# Date du refus de l'adresse par son serveur, notée à la connexion : le bandeau de l'espace la lit ici.
EMAIL_REFUSED_SESSION_KEY = "email_refused_on"


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


def login_view(request):
    if request.user.is_authenticated:
        return redirect(roles.home_url(request.user))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = ratelimit.hit("login-ip", ratelimit.client_ip(request), limit=20, period=3600) or ratelimit.hit(
            "login-email", email, limit=5, period=3600
        )
        if wait:
            form.add_error(
                None, f"Trop de demandes de lien. Réessayez dans {max(1, wait // 60)} minute(s) ou contactez-nous."
            )
        else:
            user = User.objects.filter(email=email, is_active=True).first()
            if user:
                services.magic_link_send(user=user, next_url=_safe_next(request, request.GET.get("next", "")))
            request.session["login_email_sent"] = True
            return redirect("accounts:link_sent")
    return render(request, "accounts/login.html", {"form": form, "title": "Se connecter"})


def link_sent(request):
    return render(request, "accounts/link_sent.html", {"title": "Vérifiez vos e-mails"})


def link_open(request, token):
    """Page intermédiaire : le lien n'est consommé qu'au clic (les scanners de messagerie l'ouvrent)."""
    try:
        link = services.magic_link_peek(token=token)
    except services.MagicLinkError as error:
        return render(
            request,
            "accounts/link_invalid.html",
            {"title": "Lien de connexion inutilisable", "error": LINK_ERRORS[error.reason], "form": LoginForm()},
            status=400,
        )
    if request.method == "POST":
        try:
            link = services.magic_link_consume(token=token)
        except services.MagicLinkError as error:
            return render(
                request,
                "accounts/link_invalid.html",
                {"title": "Lien de connexion inutilisable", "error": LINK_ERRORS[error.reason], "form": LoginForm()},
                status=400,
            )
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request, link.next_url) or roles.home_url(link.user))
    return render(request, "accounts/link_open.html", {"title": "Connexion", "link_user": link.user})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:home")


def account_home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(roles.home_url(request.user))


def note_email_refusal(sender, request, user, **kwargs):
    """À la connexion (lien ou FranceConnect) : si son serveur refuse nos e-mails, la personne le voit."""
    refusal = user.email_refusal()
    if refusal is None:
        request.session.pop(EMAIL_REFUSED_SESSION_KEY, None)
    else:
        request.session[EMAIL_REFUSED_SESSION_KEY] = timezone.localtime(refusal.refused_at).strftime("%d/%m/%Y")


@require_POST
@login_required
def email_confirm(request):
    services.email_address_confirm(user=request.user)
    request.session.pop(EMAIL_REFUSED_SESSION_KEY, None)
    you = "tu recevras" if request.user.is_candidate else "vous recevrez"
    messages.success(request, f"C'est noté : {you} de nouveau nos e-mails.")
    return redirect(roles.home_url(request.user))
