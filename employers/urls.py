from django.urls import path

from employers import views

app_name = "employers"
urlpatterns = [
    path("employeur/inscription", views.signup, name="signup"),
    path("employeur/entreprise", views.company_lookup, name="company_lookup"),
    path("employeur/etablissements/ajouter", views.company_add, name="company_add"),
    path("employeur/etablissements/<int:pk>/membres", views.company_members, name="company_members"),
    path(
        "employeur/etablissements/<int:pk>/membres/<int:membership_id>/retirer",
        views.member_remove,
        name="member_remove",
    ),
    path("employeur/demandes/<int:pk>", views.membership_request, name="membership_request"),
]
