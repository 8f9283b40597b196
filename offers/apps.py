from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = "Offres"

    def ready(self):
        from offers import receivers  # noqa: F401  (recalcul des paires d'une entreprise vérifiée)
