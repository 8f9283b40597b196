"""Les URL du site avec les webhooks de django-anymail (servis en production quand ANYMAIL_WEBHOOK_SECRET est
réglé)."""

from django.urls import include, path

from config.urls import urlpatterns as site

urlpatterns = [*site, path("anymail/", include("anymail.urls"))]
