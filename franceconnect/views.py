import logging

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts import roles
from accounts.enums import Role
from core.security import token_form_target, token_page
from employers.enums import SIGNUP_SIRET_SESSION_KEY
from employers.models import Company
from franceconnect import client, services
from franceconnect.client import FRANCECONNECT, PROCONNECT, OidcError, Provider

logger = logging.getLogger(__name__)

BACKEND = "django.contrib.auth.backends.ModelBackend"
PROVIDERS = (FRANCECONNECT, PROCONNECT)


def _session_key(provider: Provider, name: str) -> str:
    """`franceconnect_auth`, `proconnect_id_token`… : chaque fournisseur a ses clés de session."""
    return f"{provider.key}_{name}"


def _provider_errors(provider: Provider) -> dict:
    name = provider.name
    return {
        "access_denied": (
            f"Vous avez annulé la connexion avec {name}. Vous pouvez réessayer, "
            "ou recevoir un lien de connexion par e-mail."
        ),
        "login_required": f"{name} vous demande de vous identifier à nouveau. Réessayez.",
        "consent_required": (
            f"Sans votre accord pour transmettre vos informations, la connexion avec {name} n'est pas possible."
        ),
        "interaction_required": f"{name} vous demande de vous identifier à nouveau. Réessayez.",
        "server_error": provider.unavailable,
        "temporarily_unavailable": provider.unavailable,
    }


def _state_error(provider: Provider) -> str:
    return f"Cette réponse de {provider.name} a expiré ou a déjà servi. Recommencez la connexion avec {provider.name}."


LINK_ERRORS = {
    "inconnu": "Ce lien n'est pas valide. Il a peut-être été mal copié.",
    "utilise": "Ce lien a déjà servi : chaque lien ne marche qu'une fois.",
    "expire": "Ce lien a expiré : il n'est valable que 15 minutes. Reconnectez-vous avec FranceConnect.",
    "deja_relie": "Ce compte est déjà relié à une identité FranceConnect.",
}


def _fail(request, message: str):
    messages.error(request, message)
    return redirect("accounts:login")


def _require_configured(provider: Provider = FRANCECONNECT):
    if not client.is_configured(provider):
        raise Http404(f"{provider.name} n'est pas configuré.")


def _login_start(request, provider: Provider):
    """Envoie la personne s'identifier chez le fournisseur, avec `state` et `nonce` liés à sa session."""
    _require_configured(provider)
    state, nonce = client.random_token(), client.random_token()
    try:
        url = client.authorization_url(state=state, nonce=nonce, provider=provider)
    except OidcError as error:
        logger.warning("%s indisponible : %s", provider.name, error.detail)
        return _fail(request, error.message)
    request.session[_session_key(provider, "auth")] = {"state": state, "nonce": nonce}
    return redirect(url)


def _authenticate(request, provider: Provider) -> tuple[dict, dict]:
    """Retour du fournisseur : vérifie `state` (usage unique), le code, les jetons ; renvoie les jetons et les
    informations d'identité vérifiées. Lève OidcError (message à montrer) sinon."""
    pending = request.session.pop(_session_key(provider, "auth"), None) or {}
    if not client.same(request.GET.get("state", ""), pending.get("state", "")):
        logger.warning("%s : state absent, inconnu ou déjà utilisé", provider.name)
        raise OidcError(_state_error(provider), "state")
    error = request.GET.get("error")
    if error:
        logger.info(
            "%s : retour en erreur %s (%s)", provider.name, error, request.GET.get("error_description", "")[:200]
        )
        raise OidcError(_provider_errors(provider).get(error, provider.generic_error), error)
    code = request.GET.get("code")
    if not code:
        raise OidcError(provider.generic_error, "pas de code")
    tokens = client.exchange_code(code, provider=provider)
    id_claims = client.verify_id_token(tokens["id_token"], nonce=pending["nonce"], provider=provider)
    claims = client.userinfo(tokens["access_token"], sub=id_claims["sub"], provider=provider)
    return tokens, claims


def _sign_in(request, user, *, provider: Provider, id_token: str):
    """Ouvre la session et garde le jeton d'identité pour la déconnexion chez ce fournisseur seulement."""
    login(request, user, backend=BACKEND)
    for other in PROVIDERS:
        request.session.pop(_session_key(other, "id_token"), None)
    request.session[_session_key(provider, "id_token")] = id_token


def login_start(request):
    return _login_start(request, FRANCECONNECT)


def callback(request):
    """Retour de FranceConnect : vérifie `state` (usage unique), le code, les jetons, puis connecte."""
    _require_configured(FRANCECONNECT)
    try:
        tokens, claims = _authenticate(request, FRANCECONNECT)
        identity = services.Identity.from_claims(claims)
        result = services.franceconnect_sign_in(identity=identity)
    except OidcError as error:
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
    _sign_in(request, result.user, provider=FRANCECONNECT, id_token=tokens["id_token"])
    if result.created:
        return redirect("candidates:onboarding", step=2)
    return redirect(roles.home_url(result.user))


def proconnect_login_start(request):
    return _login_start(request, PROCONNECT)


def proconnect_callback(request):
    """Retour de ProConnect : connecte le compte professionnel de l'adresse vérifiée (créé au besoin) et le
    rattache à l'établissement du SIRET transmis, s'il est connu ; sinon l'inscription reprend ce SIRET."""
    _require_configured(PROCONNECT)
    try:
        tokens, claims = _authenticate(request, PROCONNECT)
        identity = services.ProIdentity.from_claims(claims)
        result = services.proconnect_sign_in(identity=identity)
    except OidcError as error:
        logger.warning("ProConnect : connexion refusée (%s)", error.detail)
        return _fail(request, error.message)
    except services.IdentityError as error:
        return _fail(request, error.message)
    user = result.user
    _sign_in(request, user, provider=PROCONNECT, id_token=tokens["id_token"])
    if user.role != Role.EMPLOYER:
        return redirect(roles.home_url(user))  # le back-office demande ensuite le second facteur
    if result.company is not None:
        if result.joined:
            messages.success(request, f"Vous êtes rattaché·e à l'établissement {result.company.name}.")
        return redirect("matching:employer_home")
    has_company = Company.objects.for_member(user).exists()
    if identity.siret:
        request.session[SIGNUP_SIRET_SESSION_KEY] = identity.siret
        return redirect("employers:company_add" if has_company else "employers:signup")
    return redirect("matching:employer_home" if has_company else "employers:signup")


def _logout_start(request, provider: Provider):
    """Termine notre session, puis celle du fournisseur (avec `id_token_hint` et `state`)."""
    id_token = request.session.get(_session_key(provider, "id_token"))
    logout(request)
    if not id_token or not client.is_configured(provider):
        return redirect("core:home")
    state = client.random_token()
    try:
        url = client.end_session_url(id_token=id_token, state=state, provider=provider)
    except OidcError as error:
        logger.warning("%s : déconnexion impossible (%s)", provider.name, error.detail)
        url = None
    if url is None:
        messages.warning(
            request,
            f"Vous êtes déconnecté·e de C'est ma chance, mais {provider.name} n'a pas pu être joint : "
            f"fermez votre navigateur pour terminer aussi votre session {provider.name}.",
        )
        return redirect("core:home")
    request.session[_session_key(provider, "logout_state")] = state
    return redirect(url)


def _logout_return(request, provider: Provider):
    """Retour du fournisseur après la déconnexion : `state` doit être celui envoyé."""
    expected = request.session.pop(_session_key(provider, "logout_state"), "")
    if client.same(request.GET.get("state", ""), expected):
        messages.success(request, f"Vous êtes déconnecté·e de C'est ma chance et de {provider.name}.")
    else:
        messages.warning(
            request,
            f"Cette réponse de déconnexion de {provider.name} n'est pas reconnue. "
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


@require_POST
def logout_start(request):
    return _logout_start(request, FRANCECONNECT)


def logout_return(request):
    return _logout_return(request, FRANCECONNECT)


@require_POST
def proconnect_logout_start(request):
    return _logout_start(request, PROCONNECT)


def proconnect_logout_return(request):
    return _logout_return(request, PROCONNECT)


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
