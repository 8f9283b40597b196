"""Client OpenID Connect (flux « authorization code ») de FranceConnect v2 et de ProConnect.

Un seul client, deux fournisseurs : chaque fonction reçoit la configuration du fournisseur (`Provider`),
FranceConnect par défaut. Les adresses viennent du document de découverte (en cache) ; les jetons sont
vérifiés avec joserfc contre les clés publiques (JWKS) du fournisseur, en cache elles aussi et relues une
fois si une clé est inconnue.
"""

import dataclasses
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

ALGORITHMS = ["ES256", "RS256"]
DISCOVERY_CACHE_SECONDS = 60 * 60
JWKS_CACHE_SECONDS = 60 * 60
LEEWAY_SECONDS = 60


@dataclasses.dataclass(frozen=True)
class Provider:
    """Un fournisseur d'identité OpenID Connect et ce qui le distingue de l'autre.

    `key` préfixe les URL du service (`/<key>/callback`), les clés de cache et de session ; `setting`
    préfixe les réglages (`<setting>_BASE_URL`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_TIMEOUT`).
    """

    name: str
    key: str
    setting: str
    scope: str
    help_url: str
    acr: str | None = None
    prompt: str | None = None

    def _setting(self, name: str, default=""):
        return getattr(settings, f"{self.setting}_{name}", default)

    @property
    def base_url(self) -> str:
        return self._setting("BASE_URL").rstrip("/")

    @property
    def client_id(self) -> str:
        return self._setting("CLIENT_ID")

    @property
    def client_secret(self) -> str:
        return self._setting("CLIENT_SECRET")

    @property
    def timeout(self) -> float:
        return float(self._setting("TIMEOUT", 10))

    @property
    def generic_error(self) -> str:
        return f"La connexion avec {self.name} n'a pas abouti. Réessayez, ou recevez un lien de connexion par e-mail."

    @property
    def unavailable(self) -> str:
        return (
            f"{self.name} ne répond pas pour le moment. Réessayez dans quelques minutes, "
            "ou recevez un lien de connexion par e-mail."
        )


FRANCECONNECT = Provider(
    name="FranceConnect",
    key="franceconnect",
    setting="FRANCECONNECT",
    scope="openid given_name family_name birthdate email",
    help_url="https://franceconnect.gouv.fr/",
    acr="eidas1",
    prompt="login consent",
)
# ProConnect (ex-AgentConnect) : fédération d'identité des professionnel·les ; `siret` donne l'établissement.
PROCONNECT = Provider(
    name="ProConnect",
    key="proconnect",
    setting="PROCONNECT",
    scope="openid email given_name usual_name siret",
    help_url="https://www.proconnect.gouv.fr/",
)


class OidcError(Exception):
    """Échec de la connexion avec le fournisseur ; `message` est la phrase à montrer à la personne."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail


def is_configured(provider: Provider = FRANCECONNECT) -> bool:
    return bool(provider.base_url and provider.client_id and provider.client_secret)


def random_token() -> str:
    """Valeur aléatoire de 43 caractères (256 bits) pour `state` et `nonce`."""
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _cache_key(name: str, provider: Provider) -> str:
    return f"{provider.key}:{name}:{provider.base_url}"


def _http_get(url: str, *, provider: Provider = FRANCECONNECT, **kwargs) -> httpx.Response:
    try:
        response = httpx.get(url, timeout=provider.timeout, **kwargs)
        response.raise_for_status()
    except httpx.HTTPError as error:
        logger.warning("%s : échec de GET %s (%s)", provider.name, url, type(error).__name__)
        raise OidcError(provider.unavailable, f"GET {url} : {error}") from error
    return response


def discovery(provider: Provider = FRANCECONNECT) -> dict:
    """Le document de découverte du fournisseur (mis en cache une heure)."""
    key = _cache_key("discovery", provider)
    document = cache.get(key)
    if document is None:
        url = f"{provider.base_url}/.well-known/openid-configuration"
        try:
            document = _http_get(url, provider=provider).json()
        except ValueError as error:
            raise OidcError(provider.unavailable, "document de découverte illisible") from error
        missing = {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} - set(document)
        if missing:
            raise OidcError(provider.unavailable, f"découverte incomplète : {sorted(missing)}")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def jwks(*, refresh: bool = False, provider: Provider = FRANCECONNECT) -> KeySet:
    """Les clés publiques du fournisseur (en cache ; `refresh=True` les relit)."""
    key = _cache_key("jwks", provider)
    data = None if refresh else cache.get(key)
    if data is None:
        try:
            data = _http_get(discovery(provider)["jwks_uri"], provider=provider).json()
            key_set = KeySet.import_key_set(data)
        except (ValueError, KeyError, JoseError) as error:
            raise OidcError(provider.unavailable, "JWKS illisible") from error
        cache.set(key, data, JWKS_CACHE_SECONDS)
        return key_set
    return KeySet.import_key_set(data)


def redirect_uri(provider: Provider = FRANCECONNECT) -> str:
    return f"{settings.SITE_URL}/{provider.key}/callback"


def post_logout_redirect_uri(provider: Provider = FRANCECONNECT) -> str:
    return f"{settings.SITE_URL}/{provider.key}/deconnexion/retour"


def authorization_url(*, state: str, nonce: str, provider: Provider = FRANCECONNECT) -> str:
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri(provider),
        "scope": provider.scope,
        **({"acr_values": provider.acr} if provider.acr else {}),
        "state": state,
        "nonce": nonce,
        **({"prompt": provider.prompt} if provider.prompt else {}),
    }
    return f"{discovery(provider)['authorization_endpoint']}?{urlencode(params)}"


def end_session_url(*, id_token: str, state: str, provider: Provider = FRANCECONNECT) -> str | None:
    endpoint = discovery(provider).get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": post_logout_redirect_uri(provider),
    }
    return f"{endpoint}?{urlencode(params)}"


def exchange_code(code: str, *, provider: Provider = FRANCECONNECT) -> dict:
    """Échange le code contre les jetons (client_secret_post ou client_secret_basic selon la découverte)."""
    document = discovery(provider)
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(provider)}
    auth = None
    if "client_secret_post" in methods:
        data |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
    else:
        auth = (provider.client_id, provider.client_secret)
    try:
        response = httpx.post(
            document["token_endpoint"],
            data=data,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=provider.timeout,
        )
    except httpx.HTTPError as error:
        raise OidcError(provider.unavailable, f"jeton : {type(error).__name__}") from error
    try:
        tokens = response.json()
    except ValueError:
        tokens = {}
    if response.status_code != 200 or "id_token" not in tokens or "access_token" not in tokens:
        logger.warning("%s : échange du code refusé (%s, %s)", provider.name, response.status_code, tokens.get("error"))
        raise OidcError(provider.generic_error, f"jeton refusé : {response.status_code} {tokens.get('error')}")
    return tokens


def _verify_jwt(value: str, *, what: str, provider: Provider = FRANCECONNECT) -> dict:
    """Vérifie la signature d'un JWT avec la clé (`kid`) du fournisseur ; renvoie ses claims.

    Une clé inconnue fait relire le JWKS une seule fois (rotation des clés), puis le jeton est refusé.
    """
    refused = (
        f"La réponse de {provider.name} n'a pas pu être vérifiée ({what}). Pour votre sécurité, la connexion "
        "est refusée. Réessayez, ou recevez un lien de connexion par e-mail."
    )
    try:
        header = jws.extract_compact(value.encode()).headers()
    except (JoseError, ValueError, AttributeError) as error:
        raise OidcError(refused, f"{what} illisible") from error
    if header.get("alg") not in ALGORITHMS:
        raise OidcError(refused, f"{what} : algorithme {header.get('alg')!r} refusé")
    kid = header.get("kid")
    try:
        key = jwks(provider=provider).get_by_kid(kid)
    except InvalidKeyIdError:
        try:
            key = jwks(refresh=True, provider=provider).get_by_kid(kid)
        except InvalidKeyIdError as error:
            raise OidcError(refused, f"{what} : clé inconnue {kid!r}") from error
    try:
        return jwt.decode(value, key, algorithms=ALGORITHMS).claims
    except JoseError as error:
        raise OidcError(refused, f"{what} : {type(error).__name__}") from error


def verify_id_token(id_token: str, *, nonce: str, provider: Provider = FRANCECONNECT) -> dict:
    """Vérifie le jeton d'identité : signature, émetteur, audience, expiration, nonce (et niveau eIDAS pour
    FranceConnect)."""
    claims = _verify_jwt(id_token, what="jeton d'identité", provider=provider)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery(provider)["issuer"]},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise OidcError(
            f"La réponse de {provider.name} a expiré. Recommencez la connexion avec {provider.name}.",
            "id_token expiré",
        ) from error
    except JoseError as error:
        raise OidcError(provider.generic_error, f"id_token : {error}") from error
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != provider.client_id:
        raise OidcError(provider.generic_error, "id_token : azp")
    if not same(str(claims.get("nonce", "")), nonce):
        raise OidcError(
            f"La réponse de {provider.name} ne correspond pas à votre demande de connexion. Pour votre sécurité, "
            f"elle est refusée. Recommencez la connexion avec {provider.name}.",
            "id_token : nonce",
        )
    if provider.acr and claims.get("acr") != provider.acr:
        raise OidcError(
            f"Le niveau de vérification d'identité transmis par {provider.name} est insuffisant. "
            "La connexion est refusée.",
            f"id_token : acr {claims.get('acr')!r}",
        )
    return claims


def userinfo(access_token: str, *, sub: str, provider: Provider = FRANCECONNECT) -> dict:
    """Les informations d'identité, reçues sous forme de JWT signé (FranceConnect v2, ProConnect) et vérifiées."""
    endpoint = discovery(provider).get("userinfo_endpoint")
    if not endpoint:
        raise OidcError(provider.unavailable, "pas de userinfo_endpoint")
    response = _http_get(endpoint, provider=provider, headers={"Authorization": f"Bearer {access_token}"})
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/jwt":
        raise OidcError(provider.generic_error, f"userinfo : type {content_type!r} au lieu de application/jwt")
    claims = _verify_jwt(response.text.strip(), what="informations d'identité", provider=provider)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery(provider)["issuer"]},
        aud={"value": provider.client_id},
        sub={"essential": True, "value": sub},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise OidcError(provider.generic_error, f"userinfo : {error}") from error
    return claims
