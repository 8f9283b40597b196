"""Vérifications de déploiement du socle (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Les limites de débit doivent être partagées entre serveurs : en production, le cache est Redis."""
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" not in backend.lower():
        return [
            checks.Warning(
                "Le cache n'est pas Redis : chaque serveur compte ses propres essais (limites de débit).",
                hint="Réglez REDIS_URL.",
                id="core.W001",
            )
        ]
    return []
