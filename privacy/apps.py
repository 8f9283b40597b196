from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Données personnelles"

    def ready(self):
        from core import security  # noqa: F401 (enregistre les vérifications de déploiement)
