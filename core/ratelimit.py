"""Limites de débit, tenues dans le cache partagé (Redis en production) : plusieurs serveurs les partagent."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def hit(scope: str, ident: str, *, limit: int, period: int) -> int | None:
    """Compte un essai de `ident` pour `scope` ; renvoie None s'il est permis, sinon le nombre de
    secondes à attendre. La fenêtre est fixe (`period` secondes)."""
    window = int(time.time() // period)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # pas de donnée personnelle en clair
    key = f"rl:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # la clé a expiré entre add et incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count is None:  # cache indisponible (Redis arrêté, erreurs ignorées) : on laisse passer
        return None
    if count > limit:
        return max(1, int((window + 1) * period - time.time()) + 1)
    return None


def client_ip(request) -> str:
    """L'adresse du client. Derrière un proxy de confiance, `RATELIMIT_IP_HEADER` (par exemple
    `HTTP_X_FORWARDED_FOR`) désigne l'en-tête qu'il remplit ; on en prend la dernière adresse, celle que le
    proxy a vue (les précédentes viennent du client et peuvent être fausses)."""
    header = getattr(settings, "RATELIMIT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
