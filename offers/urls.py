from django.urls import path

from offers import views

app_name = "offers"
urlpatterns = [
    path("employeur/offres/nouvelle", views.create, name="create"),
    path("employeur/offres/<int:pk>/modifier", views.update, name="update"),
    path("employeur/offres/<int:pk>/en-ligne", views.published, name="published"),
    path("employeur/offres/<int:pk>/etat", views.transition, name="transition"),
]
