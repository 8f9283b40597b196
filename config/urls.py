from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from partners import views as partners_views

urlpatterns = [
    path("", include("core.urls")),
    path("", include("geo.urls")),
    path("", include("accounts.urls")),
    path("", include("candidates.urls")),
    path("", include("employers.urls")),
    path("", include("offers.urls")),
    path("", include("matching.urls")),
    path("", include("notifications.urls")),
    path("", include("stats.urls")),
    path("", include("privacy.urls")),
    path("", include("franceconnect.urls")),
    path("", include("partners.urls")),
    path("conseiller/", include("backoffice.urls")),
    path("api/v1/docs", partners_views.api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
if settings.ANYMAIL_WEBHOOK_SECRET:  # rebonds et plaintes des e-mails (notifications/receivers.py)
    urlpatterns.append(path("anymail/", include("anymail.urls")))

handler400 = "core.views.bad_request"
