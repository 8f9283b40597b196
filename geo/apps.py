from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = "Géographie"

    def ready(self):
        from geo import signals  # noqa: F401
