from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        # Chaque application écoute ses signaux dans `<app>/receivers.py` et déclare ses vérifications
        # (`manage.py check`) dans `<app>/checks.py` : tous sont importés ici, une fois toutes les applications
        # chargées (comme l'administration de Django importe les `admin.py`).
        autodiscover_modules("receivers", "checks")
