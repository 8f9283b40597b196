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
]
