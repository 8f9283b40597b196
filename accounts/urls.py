from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion", views.login_view, name="login"),
    path("connexion/verifiez-vos-emails", views.link_sent, name="link_sent"),
    path("connexion/lien", views.link_consume, name="link_consume"),
    path("connexion/lien/<str:token>", views.link_open, name="link_open"),
    path("deconnexion", views.logout_view, name="logout"),
    path("mon-espace", views.account_home, name="home"),
    path("mon-espace/adresse-e-mail-confirmee", views.email_confirm, name="email_confirm"),
]
