from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("mes-donnees", views.my_data, name="my_data"),
    path("mes-donnees/export.json", views.my_data_export, name="my_data_export"),
    path("mes-donnees/supprimer-mon-compte", views.account_delete, name="account_delete"),
    path("donnees-personnelles", views.personal_data, name="personal_data"),
    path("mentions-legales", views.legal_notice, name="legal_notice"),
    path("accessibilite", views.accessibility, name="accessibility"),
    path("plan-du-site", views.sitemap, name="sitemap"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
