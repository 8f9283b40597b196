"""Limite de débit de l'API publique : par adresse IP sans clé, par clé pour les partenaires."""

import threading

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from core.ratelimit import client_ip, hit
from partners.models import ApiKey, key_hash

PERIOD_SECONDS = 60
KEY_CACHE_SECONDS = 60


def request_api_key(request) -> str:
    """La clé présentée : en-tête `X-Api-Key` ou `Authorization: Bearer <clé>`."""
    raw = request.headers.get("X-Api-Key", "").strip()
    if not raw:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            raw = value.strip()
    return raw[:200]


def api_key_id(raw_key: str) -> int | None:
    """L'identifiant de la clé active qui correspond (mis en cache une minute), sinon None."""
    if not raw_key:
        return None
    digest = key_hash(raw_key)
    cache_key = f"api-key:{digest}"
    cached = cache.get(cache_key)
    if cached is None:
        cached = ApiKey.objects.active().filter(key_hash=digest).values_list("pk", flat=True).first() or 0
        cache.set(cache_key, cached, timeout=KEY_CACHE_SECONDS)
    return cached or None


class ApiRateThrottle(BaseThrottle):
    """60 requêtes par minute et par IP sans clé ; 1 000 par minute avec une clé de partenaire active.

    Une clé inconnue ou désactivée compte comme un accès anonyme.
    """

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        key_id = api_key_id(request_api_key(request))
        request.api_key_id = key_id
        if key_id:
            wait = hit("api:key", str(key_id), limit=settings.API_PARTNER_RATE, period=PERIOD_SECONDS)
        else:
            wait = hit("api:ip", client_ip(request), limit=settings.API_ANONYMOUS_RATE, period=PERIOD_SECONDS)
        self._local.wait = wait
        return wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
