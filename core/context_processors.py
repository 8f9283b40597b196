from django.conf import settings


def service(request):
    return {
        "SERVICE_NAME": "C'est ma chance",
        "SERVICE_TAGLINE": "L'apprentissage dans l'artisanat, près de chez vous",
        "SITE_URL": settings.SITE_URL,
    }
