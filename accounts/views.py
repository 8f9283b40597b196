import functools

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts import limits, roles, services, tasks
from accounts.context_processors import speaks_to_a_candidate
from accounts.enums import Role
from accounts.forms import LoginForm
from accounts.receivers import EMAIL_REFUSED_SESSION_KEY
from core.security import token_form_target, token_page

LINK_ERRORS = {
    "inconnu": "Ce lien de connexion n'est pas valide. Il a peut-être été mal copié.",
    "utilise": "Ce lien de connexion a déjà servi : chaque lien ne marche qu'une fois.",
    "expire": "Ce lien de connexion a expiré : il n'est valable que 15 minutes.",
}


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


def login_view(request):
    """Valide l'adresse et met en file l'envoi : la réponse (contenu, requêtes SQL, durée) est la même que
    l'adresse ait un compte ou non ; la tâche cherche le compte et envoie le lien."""
    if request.user.is_authenticated:
        return redirect(roles.home_url(request.user))
    form = LoginForm(request.POST or None, tu=speaks_to_a_candidate(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = limits.ip_wait(request, "login")
        if wait:
            form.add_error(
                None, f"Trop de demandes de lien. Réessayez dans {max(1, wait // 60)} minute(s) ou contactez-nous."
            )
        else:
            if limits.address_allowed(request, email):
                next_url = _safe_next(request, request.GET.get("next", ""))
                transaction.on_commit(functools.partial(tasks.login_link_send.enqueue, email, next_url))
            request.session["login_email_sent"] = True
            sent = reverse("accounts:link_sent")
            return redirect(f"{sent}?pour=candidat" if speaks_to_a_candidate(request) else sent)
    return render(request, "accounts/login.html", {"form": form, "title": "Se connecter"})


def link_sent(request):
    return render(request, "accounts/link_sent.html", {"title": "Vérifiez vos e-mails"})


def _link_invalid(request, reason):
    return render(
        request,
        "accounts/link_invalid.html",
        {"title": "Lien de connexion inutilisable", "error": LINK_ERRORS[reason], "form": LoginForm()},
        status=400,
    )


@require_safe
@token_page
def link_open(request, token):
    """Page du lien reçu par e-mail : elle ne consomme rien (scanners de messagerie, aperçus). Son bouton
    envoie le jeton dans le corps d'un POST vers `link_consume`, une adresse sans jeton : les journaux des
    proxys et du serveur ne voient le jeton qu'à l'ouverture, et il ne sert plus une fois utilisé."""
    try:
        link = services.magic_link_peek(token=token)
    except services.MagicLinkError as error:
        return _link_invalid(request, error.reason)
    return render(
        request,
        "accounts/link_open.html",
        {"title": "Connexion", "link_user": link.user, "token": token, "tu": link.user.role == Role.CANDIDATE},
    )


@token_form_target
@require_POST
@token_page
def link_consume(request):
    try:
        link = services.magic_link_consume(token=request.POST.get("token", ""))
    except services.MagicLinkError as error:
        return _link_invalid(request, error.reason)
    login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_safe_next(request, link.next_url) or roles.home_url(link.user))


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:home")


def account_home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(roles.home_url(request.user))


@require_POST
@login_required
def email_confirm(request):
    services.email_address_confirm(user=request.user)
    request.session.pop(EMAIL_REFUSED_SESSION_KEY, None)
    you = "tu recevras" if request.user.is_candidate else "vous recevrez"
    messages.success(request, f"C'est noté : {you} de nouveau nos e-mails.")
    return redirect(roles.home_url(request.user))
