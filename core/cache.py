"""Une valeur coûteuse partagée par tous les processus, recalculée par un seul à la fois.

Le flux des offres ou le plan du site se calculent en une seconde et se gardent sous la version des données
qu'ils montrent. Quand cette version change (une offre publiée, une entreprise vérifiée) ou que la valeur a
vieilli, le premier processus qui le voit la recalcule ; pendant ce temps, les autres servent la précédente au
lieu de la recalculer tous ensemble (chaque worker occupé une seconde, les requêtes suivantes en attente).
"""

import time
from collections.abc import Callable

from django.core.cache import cache

# Un processus arrêté au milieu d'un calcul ne retient pas les autres plus longtemps.
BUILD_LOCK_SECONDS = 120


def shared_value[T](key: str, version: str, build: Callable[[], T], max_age: int) -> T:
    """La valeur de `key` pour `version`, calculée au plus `max_age` secondes plus tôt. À recalculer : un seul
    processus le fait, les autres servent la valeur précédente s'il y en a une (rien en cache : chacun calcule).
    Elle reste en cache deux fois `max_age`, pour servir encore pendant le calcul suivant."""
    entry = cache.get(key)
    if entry is not None:
        entry_version, built_at, value = entry
        if entry_version == version and time.time() - built_at < max_age:
            return value
        if not cache.add(f"{key}:calcul", 1, BUILD_LOCK_SECONDS):
            return value  # un autre processus la recalcule
    try:
        value = build()
        cache.set(key, (version, time.time(), value), 2 * max_age)
    finally:
        if entry is not None:
            cache.delete(f"{key}:calcul")
    return value
