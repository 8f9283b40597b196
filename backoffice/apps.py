from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Espace conseiller"

    def ready(self):
        from backoffice import receivers  # noqa: F401 (sessions du back-office, journal des entreprises)
