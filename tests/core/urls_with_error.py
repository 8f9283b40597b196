"""Les URL du projet, plus une vue qui plante avec une adresse e-mail dans son message et ses variables."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):
    email = request.GET.get("email", "")
    raise RuntimeError(f"échec de l'envoi à {email}")


urlpatterns = [path("__boom__", boom), *project_urlpatterns]
