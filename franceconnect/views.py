import logging

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts import roles
from core.security import token_form_target, token_page
from franceconnect import client, services
from franceconnect.client import FranceConnectError

logger = logging.getLogger(__name__)

SESSION_AUTH = "franceconnect_auth"
SESSION_ID_TOKEN = "franceconnect_id_token"  # noqa: S105 (nom de clé de session)
SESSION_LOGOUT_STATE = "franceconnect_logout_state"
BACKEND = "django.contrib.auth.backends.ModelBackend"

PROVIDER_ERRORS = {
    "access_denied": (
        "Vous avez annulé la connexion avec FranceConnect. Vous pouvez réessayer, "
        "ou recevoir un lien de connexion par e-mail."
    ),
    "login_required": "FranceConnect vous demande de vous identifier à nouveau. Réessayez.",
    "consent_required": (
        "Sans votre accord pour transmettre vos informations, la connexion avec FranceConnect n'est pas possible."
    ),
    "interaction_required": "FranceConnect vous demande de vous identifier à nouveau. Réessayez.",
    "server_error": client.UNAVAILABLE,
    "temporarily_unavailable": client.UNAVAILABLE,
}
STATE_ERROR = "Cette réponse de FranceConnect a expiré ou a déjà servi. Recommencez la connexion avec FranceConnect."
LINK_ERRORS = {
    "inconnu": "Ce lien n'est pas valide. Il a peut-être été mal copié.",
    "utilise": "Ce lien a déjà servi : chaque lien ne marche qu'une fois.",
    "expire": "Ce lien a expiré : il n'est valable que 15 minutes. Reconnectez-vous avec FranceConnect.",
    "deja_relie": "Ce compte est déjà relié à une identité FranceConnect.",
}


def _fail(request, message: str):
    messages.error(request, message)
    return redirect("accounts:login")


def _require_configured():
    if not client.is_configured():
        raise Http404("FranceConnect n'est pas configuré.")


def login_start(request):
    """Envoie la personne s'identifier chez FranceConnect, avec `state` et `nonce` liés à sa session."""
    _require_configured()
    state, nonce = client.random_token(), client.random_token()
    try:
        url = client.authorization_url(state=state, nonce=nonce)
    except FranceConnectError as error:
        logger.warning("FranceConnect indisponible : %s", error.detail)
        return _fail(request, error.message)
    request.session[SESSION_AUTH] = {"state": state, "nonce": nonce}
    return redirect(url)


def callback(request):
    """Retour de FranceConnect : vérifie `state` (usage unique), le code, les jetons, puis connecte."""
    _require_configured()
    pending = request.session.pop(SESSION_AUTH, None) or {}
    if not client.same(request.GET.get("state", ""), pending.get("state", "")):
        logger.warning("FranceConnect : state absent, inconnu ou déjà utilisé")
        return _fail(request, STATE_ERROR)
    error = request.GET.get("error")
    if error:
        logger.info("FranceConnect : retour en erreur %s (%s)", error, request.GET.get("error_description", "")[:200])
        return _fail(request, PROVIDER_ERRORS.get(error, client.GENERIC_ERROR))
    code = request.GET.get("code")
    if not code:
        return _fail(request, client.GENERIC_ERROR)
    try:
        tokens = client.exchange_code(code)
        id_claims = client.verify_id_token(tokens["id_token"], nonce=pending["nonce"])
        claims = client.userinfo(tokens["access_token"], sub=id_claims["sub"])
        identity = services.Identity.from_claims(claims)
        result = services.franceconnect_sign_in(identity=identity)
    except FranceConnectError as error:
        logger.warning("FranceConnect : connexion refusée (%s)", error.detail)
        return _fail(request, error.message)
    except services.IdentityError as error:
        return _fail(request, error.message)
    if result.link_sent:
        return render(
            request,
            "franceconnect/link_sent.html",
            {"title": "Confirmez la liaison avec FranceConnect", "email": identity.email},
        )
    login(request, result.user, backend=BACKEND)
    request.session[SESSION_ID_TOKEN] = tokens["id_token"]
    if result.created:
        return redirect("candidates:onboarding", step=2)
    return redirect(roles.home_url(result.user))


@require_POST
def logout_start(request):
    """Termine notre session, puis celle de FranceConnect (avec `id_token_hint` et `state`)."""
    id_token = request.session.get(SESSION_ID_TOKEN)
    logout(request)
    if not id_token or not client.is_configured():
        return redirect("core:home")
    state = client.random_token()
    try:
        url = client.end_session_url(id_token=id_token, state=state)
    except FranceConnectError as error:
        logger.warning("FranceConnect : déconnexion impossible (%s)", error.detail)
        url = None
    if url is None:
        messages.warning(
            request,
            "Vous êtes déconnecté·e de C'est ma chance, mais FranceConnect n'a pas pu être joint : "
            "fermez votre navigateur pour terminer aussi votre session FranceConnect.",
        )
        return redirect("core:home")
    request.session[SESSION_LOGOUT_STATE] = state
    return redirect(url)


def logout_return(request):
    """Retour de FranceConnect après la déconnexion : `state` doit être celui envoyé."""
    expected = request.session.pop(SESSION_LOGOUT_STATE, "")
    if client.same(request.GET.get("state", ""), expected):
        messages.success(request, "Vous êtes déconnecté·e de C'est ma chance et de FranceConnect.")
    else:
        messages.warning(
            request,
            "Cette réponse de déconnexion de FranceConnect n'est pas reconnue. "
            "Vous êtes bien déconnecté·e de C'est ma chance.",
        )
    return redirect("core:home")


def _link_invalid(request, reason):
    return render(
        request,
        "franceconnect/link_invalid.html",
        {"title": "Lien inutilisable", "error": LINK_ERRORS[reason]},
        status=400,
    )


@require_safe
@token_page
def link_open(request, token):
    """Page du lien de liaison reçu par e-mail : elle ne consomme rien. Son bouton envoie le jeton dans le
    corps d'un POST vers `link_confirm`, une adresse sans jeton (les journaux ne le voient qu'à l'ouverture)."""
    try:
        link = services.franceconnect_link_peek(token=token)
    except services.LinkError as error:
        return _link_invalid(request, error.reason)
    return render(
        request,
        "franceconnect/link_open.html",
        {
            "title": "Relier votre compte à FranceConnect",
            "link": link,
            "token": token,
            "login_url": reverse("accounts:login"),
        },
    )


@token_form_target
@require_POST
@token_page
def link_confirm(request):
    try:
        user = services.franceconnect_link_confirm(token=request.POST.get("token", ""))
    except services.LinkError as error:
        return _link_invalid(request, error.reason)
    login(request, user, backend=BACKEND)
    messages.success(request, "Votre compte est relié à FranceConnect.")
    return redirect(roles.home_url(user))
