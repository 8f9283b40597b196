from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Mise en relation"

    def ready(self):
        from matching import receivers  # noqa: F401  (paires recalculées quand une offre ou un profil change)
