"""Limites de débit, tenues dans le cache partagé (Redis en production) : plusieurs serveurs les partagent."""

import functools
import hashlib
import ipaddress
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


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """L'adresse du client. L'en-tête `RATELIMIT_IP_HEADER` (par exemple `HTTP_X_FORWARDED_FOR`) n'est cru
    que si la requête vient d'un proxy de `TRUSTED_PROXIES` : on prend alors, en partant de la droite, la
    première adresse qui n'est pas un de nos proxys (celles de gauche viennent du client et peuvent être
    fausses). Sinon, l'adresse de la connexion."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "RATELIMIT_IP_HEADER", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not (header and networks and _trusted(remote, networks)):
        return remote
    forwarded = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            return address
    return forwarded[0] if forwarded else remote
