"""Intergiciels de sécurité : en-têtes HTTP, taille des requêtes, délai maximal des requêtes SQL du site web,
limites de débit."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from core import ratelimit
from core.security import PERMISSIONS_POLICY, enable_statement_timeout
from core.views import request_too_big


class SecurityHeadersMiddleware:
    """Ajoute Permissions-Policy et expose le nonce CSP sous `request.csp_nonce` (utilisé par django-dsfr).

    Se place après `django.middleware.csp.ContentSecurityPolicyMiddleware`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is not None:
            # Chaîne, pas l'objet paresseux : `{% if nonce %}` de django-dsfr serait faux avant la 1re lecture.
            request.csp_nonce = str(nonce)
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class StatementTimeoutMiddleware:
    """Une requête SQL du site web ne dure jamais plus de DATABASE_STATEMENT_TIMEOUT_MS (PostgreSQL).

    Le délai est posé à l'ouverture de chaque connexion du processus web (aucune requête en plus par page) ;
    la connexion déjà ouverte au démarrage le reçoit ici. Le worker ne charge pas ce middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        enable_statement_timeout()

    def __call__(self, request):
        return self.get_response(request)


class RateLimitMiddleware:
    """Limites de débit par adresse IP pour les URL nommées dans `settings.RATE_LIMITS`
    (`"namespace:nom": (essais, secondes)`) : autocomplétion, ouverture de liens… Réponse 429 + Retry-After.

    Les vues qui limitent elles-mêmes (connexion, inscription, API) n'ont pas besoin d'y figurer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = getattr(settings, "RATE_LIMITS", {}).get(match.view_name if match else "")
        if rule is None:
            return None
        limit, period = rule
        wait = ratelimit.hit(f"url:{match.view_name}", ratelimit.client_ip(request), limit=limit, period=period)
        if wait is None:
            return None
        message = f"Trop de demandes. Réessayez dans {max(1, wait // 60)} minute(s)."
        if "json" in request.headers.get("Accept", "") or match.view_name.endswith("search"):
            response = JsonResponse({"erreur": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(wait)
        return response


class RequestSizeLimitMiddleware:
    """Refuse d'emblée (413), sur l'en-tête Content-Length et sans rien lire, un corps de requête trop gros :
    `DATA_UPLOAD_MAX_MEMORY_SIZE` pour un formulaire ou un appel d'API, `UPLOAD_MAX_BYTES` (plus l'enveloppe
    multipart) pour un envoi de fichier. Rien n'est écrit sur le disque ni gardé en mémoire. Les champs d'un
    envoi multipart trop gros sont refusés par Django lui-même (`core.views.bad_request`, même réponse).
    """

    MULTIPART_OVERHEAD = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        if multipart:
            limit = settings.UPLOAD_MAX_BYTES + self.MULTIPART_OVERHEAD
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length <= limit:
            return self.get_response(request)
        return request_too_big(request, file=multipart)
