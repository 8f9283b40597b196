from django.urls import path

from franceconnect import views

app_name = "franceconnect"

urlpatterns = [
    path("franceconnect/connexion", views.login_start, name="login"),
    path("franceconnect/callback", views.callback, name="callback"),
    path("franceconnect/deconnexion", views.logout_start, name="logout"),
    path("franceconnect/deconnexion/retour", views.logout_return, name="logout_return"),
    path("franceconnect/liaison", views.link_confirm, name="link_confirm"),
    path("franceconnect/liaison/<str:token>", views.link_open, name="link_open"),
    path("proconnect/connexion", views.proconnect_login_start, name="proconnect_login"),
    path("proconnect/callback", views.proconnect_callback, name="proconnect_callback"),
    path("proconnect/deconnexion", views.proconnect_logout_start, name="proconnect_logout"),
    path("proconnect/deconnexion/retour", views.proconnect_logout_return, name="proconnect_logout_return"),
]
