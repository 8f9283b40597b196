"""Réglages de sécurité partagés : en-têtes, jetons des pages ouvertes par lien, délai maximal des requêtes SQL du
site web (les vérifications de déploiement sont dans `core/checks.py`)."""

import functools

from django.conf import settings
from django.db.backends.signals import connection_created
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def token_page(view):
    """Pour les pages qui portent un jeton de lien (connexion, liaison FranceConnect) : aucune adresse de
    provenance envoyée ailleurs (`Referrer-Policy: no-referrer`) et rien en cache (`no-store`)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "no-referrer"
        add_never_cache_headers(response)
        return response

    return wrapper


class _NullOriginCsrfMiddleware(CsrfViewMiddleware):
    """La protection CSRF de Django, qui accepte aussi « Origin: null » : c'est ce qu'envoie le navigateur
    pour le POST d'une page servie avec `Referrer-Policy: no-referrer`. Le jeton CSRF (cookie SameSite et
    champ du formulaire) reste exigé : une autre origine ne peut toujours rien poster."""

    def _origin_verified(self, request):
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)


def token_form_target(view):
    """Pour la vue qui reçoit le formulaire d'une page `token_page` (voir _NullOriginCsrfMiddleware)."""
    return csrf_exempt(decorator_from_middleware(_NullOriginCsrfMiddleware)(view))


def statement_timeout_sql(milliseconds: int) -> str:
    return f"SET statement_timeout = {int(milliseconds)}"


def _apply_statement_timeout(sender, connection, **kwargs):
    timeout = int(getattr(settings, "DATABASE_STATEMENT_TIMEOUT_MS", 0) or 0)
    if connection.vendor == "postgresql" and timeout > 0:
        with connection.cursor() as cursor:
            cursor.execute(statement_timeout_sql(timeout))


_enabled = False


def enable_statement_timeout() -> None:
    """À appeler par le processus web seulement : chaque nouvelle connexion PostgreSQL reçoit un délai
    maximal par requête. Le worker ne l'appelle pas : ses tâches longues ne sont pas coupées."""
    global _enabled
    if not _enabled:
        connection_created.connect(_apply_statement_timeout, dispatch_uid="core.security.statement_timeout")
        _enabled = True
