"""Client OpenID Connect de FranceConnect v2 (flux « authorization code »).

Les adresses viennent du document de découverte (en cache) ; les jetons sont vérifiés avec joserfc contre
les clés publiques (JWKS) du fournisseur, en cache elles aussi et relues une fois si une clé est inconnue.
"""

import hmac
import logging
import secrets
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.core.cache import cache
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)

SCOPE = "openid given_name family_name birthdate email"
ACR = "eidas1"
ALGORITHMS = ["ES256", "RS256"]
DISCOVERY_CACHE_SECONDS = 60 * 60
JWKS_CACHE_SECONDS = 60 * 60
LEEWAY_SECONDS = 60

GENERIC_ERROR = "La connexion avec FranceConnect n'a pas abouti. Réessayez, ou recevez un lien de connexion par e-mail."
UNAVAILABLE = (
    "FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes, "
    "ou recevez un lien de connexion par e-mail."
)


class FranceConnectError(Exception):
    """Échec de la connexion FranceConnect ; `message` est la phrase à montrer à la personne."""

    def __init__(self, message: str = GENERIC_ERROR, detail: str = ""):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail


def is_configured() -> bool:
    return bool(
        settings.FRANCECONNECT_BASE_URL and settings.FRANCECONNECT_CLIENT_ID and settings.FRANCECONNECT_CLIENT_SECRET
    )


def random_token() -> str:
    """Valeur aléatoire de 43 caractères (256 bits) pour `state` et `nonce`."""
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _cache_key(name: str) -> str:
    return f"franceconnect:{name}:{settings.FRANCECONNECT_BASE_URL}"


def _http_get(url: str, **kwargs) -> httpx.Response:
    try:
        response = httpx.get(url, timeout=settings.FRANCECONNECT_TIMEOUT, **kwargs)
        response.raise_for_status()
    except httpx.HTTPError as error:
        logger.warning("FranceConnect : échec de GET %s (%s)", url, type(error).__name__)
        raise FranceConnectError(UNAVAILABLE, f"GET {url} : {error}") from error
    return response


def discovery() -> dict:
    """Le document de découverte du fournisseur (mis en cache une heure)."""
    key = _cache_key("discovery")
    document = cache.get(key)
    if document is None:
        url = f"{settings.FRANCECONNECT_BASE_URL}/.well-known/openid-configuration"
        try:
            document = _http_get(url).json()
        except ValueError as error:
            raise FranceConnectError(UNAVAILABLE, "document de découverte illisible") from error
        missing = {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} - set(document)
        if missing:
            raise FranceConnectError(UNAVAILABLE, f"découverte incomplète : {sorted(missing)}")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def jwks(*, refresh: bool = False) -> KeySet:
    """Les clés publiques du fournisseur (en cache ; `refresh=True` les relit)."""
    key = _cache_key("jwks")
    data = None if refresh else cache.get(key)
    if data is None:
        try:
            data = _http_get(discovery()["jwks_uri"]).json()
            key_set = KeySet.import_key_set(data)
        except (ValueError, KeyError, JoseError) as error:
            raise FranceConnectError(UNAVAILABLE, "JWKS illisible") from error
        cache.set(key, data, JWKS_CACHE_SECONDS)
        return key_set
    return KeySet.import_key_set(data)


def redirect_uri() -> str:
    return f"{settings.SITE_URL}/franceconnect/callback"


def post_logout_redirect_uri() -> str:
    return f"{settings.SITE_URL}/franceconnect/deconnexion/retour"


def authorization_url(*, state: str, nonce: str) -> str:
    params = {
        "response_type": "code",
        "client_id": settings.FRANCECONNECT_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "scope": SCOPE,
        "acr_values": ACR,
        "state": state,
        "nonce": nonce,
        "prompt": "login consent",
    }
    return f"{discovery()['authorization_endpoint']}?{urlencode(params)}"


def end_session_url(*, id_token: str, state: str) -> str | None:
    endpoint = discovery().get("end_session_endpoint")
    if not endpoint:
        return None
    params = {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": post_logout_redirect_uri()}
    return f"{endpoint}?{urlencode(params)}"


def exchange_code(code: str) -> dict:
    """Échange le code contre les jetons (client_secret_post ou client_secret_basic selon la découverte)."""
    document = discovery()
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri()}
    auth = None
    if "client_secret_post" in methods:
        data |= {"client_id": settings.FRANCECONNECT_CLIENT_ID, "client_secret": settings.FRANCECONNECT_CLIENT_SECRET}
    else:
        auth = (settings.FRANCECONNECT_CLIENT_ID, settings.FRANCECONNECT_CLIENT_SECRET)
    try:
        response = httpx.post(
            document["token_endpoint"],
            data=data,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=settings.FRANCECONNECT_TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise FranceConnectError(UNAVAILABLE, f"jeton : {type(error).__name__}") from error
    try:
        tokens = response.json()
    except ValueError:
        tokens = {}
    if response.status_code != 200 or "id_token" not in tokens or "access_token" not in tokens:
        logger.warning("FranceConnect : échange du code refusé (%s, %s)", response.status_code, tokens.get("error"))
        raise FranceConnectError(GENERIC_ERROR, f"jeton refusé : {response.status_code} {tokens.get('error')}")
    return tokens


def _verify_jwt(value: str, *, what: str) -> dict:
    """Vérifie la signature d'un JWT avec la clé (`kid`) du fournisseur ; renvoie ses claims.

    Une clé inconnue fait relire le JWKS une seule fois (rotation des clés), puis le jeton est refusé.
    """
    refused = FranceConnectError(
        f"La réponse de FranceConnect n'a pas pu être vérifiée ({what}). Pour votre sécurité, la connexion "
        "est refusée. Réessayez, ou recevez un lien de connexion par e-mail."
    )
    try:
        header = jws.extract_compact(value.encode()).headers()
    except (JoseError, ValueError, AttributeError) as error:
        raise FranceConnectError(refused.message, f"{what} illisible") from error
    if header.get("alg") not in ALGORITHMS:
        raise FranceConnectError(refused.message, f"{what} : algorithme {header.get('alg')!r} refusé")
    kid = header.get("kid")
    try:
        key = jwks().get_by_kid(kid)
    except InvalidKeyIdError:
        try:
            key = jwks(refresh=True).get_by_kid(kid)
        except InvalidKeyIdError as error:
            raise FranceConnectError(refused.message, f"{what} : clé inconnue {kid!r}") from error
    try:
        return jwt.decode(value, key, algorithms=ALGORITHMS).claims
    except JoseError as error:
        raise FranceConnectError(refused.message, f"{what} : {type(error).__name__}") from error


def verify_id_token(id_token: str, *, nonce: str) -> dict:
    """Vérifie le jeton d'identité : signature, émetteur, audience, expiration, nonce et niveau eIDAS."""
    claims = _verify_jwt(id_token, what="jeton d'identité")
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery()["issuer"]},
        aud={"essential": True, "value": settings.FRANCECONNECT_CLIENT_ID},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise FranceConnectError(
            "La réponse de FranceConnect a expiré. Recommencez la connexion avec FranceConnect.", "id_token expiré"
        ) from error
    except JoseError as error:
        raise FranceConnectError(GENERIC_ERROR, f"id_token : {error}") from error
    if (
        isinstance(claims.get("aud"), list)
        and len(claims["aud"]) > 1
        and claims.get("azp") != (settings.FRANCECONNECT_CLIENT_ID)
    ):
        raise FranceConnectError(GENERIC_ERROR, "id_token : azp")
    if not same(str(claims.get("nonce", "")), nonce):
        raise FranceConnectError(
            "La réponse de FranceConnect ne correspond pas à votre demande de connexion. Pour votre sécurité, "
            "elle est refusée. Recommencez la connexion avec FranceConnect.",
            "id_token : nonce",
        )
    if claims.get("acr") != ACR:
        raise FranceConnectError(
            "Le niveau de vérification d'identité transmis par FranceConnect est insuffisant. "
            "La connexion est refusée.",
            f"id_token : acr {claims.get('acr')!r}",
        )
    return claims


def userinfo(access_token: str, *, sub: str) -> dict:
    """Les informations d'identité, reçues sous forme de JWT signé (FranceConnect v2) et vérifiées."""
    endpoint = discovery().get("userinfo_endpoint")
    if not endpoint:
        raise FranceConnectError(UNAVAILABLE, "pas de userinfo_endpoint")
    response = _http_get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/jwt":
        raise FranceConnectError(GENERIC_ERROR, f"userinfo : type {content_type!r} au lieu de application/jwt")
    claims = _verify_jwt(response.text.strip(), what="informations d'identité")
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery()["issuer"]},
        aud={"value": settings.FRANCECONNECT_CLIENT_ID},
        sub={"essential": True, "value": sub},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise FranceConnectError(GENERIC_ERROR, f"userinfo : {error}") from error
    return claims
