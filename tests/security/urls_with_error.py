"""Les URL du projet, plus une vue qui plante (pour vérifier les en-têtes de la page d'erreur)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("erreur volontaire")


urlpatterns = [path("__boom__", boom), *project_urlpatterns]
