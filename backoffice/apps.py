from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Espace conseiller"

    def ready(self):
        from backoffice import (
            receivers,  # noqa: F401  (journal d'audit des événements des entreprises)
            signals,  # noqa: F401 (début des sessions du back-office à la connexion)
        )
