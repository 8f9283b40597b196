from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("core.urls")),
    path("", include("geo.urls")),
    path("", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
