"""Vues de test : une requête SQL lente, et la lecture du délai maximal de la connexion."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path


def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [float(request.GET.get("s", "2"))])
    return HttpResponse("fini")


def show_timeout(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])


urlpatterns = [path("slow", slow), path("timeout", show_timeout)]
