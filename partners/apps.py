from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires de l'API"

    def ready(self):
        from partners import receivers  # noqa: F401  (diffusion sur La bonne alternance)
