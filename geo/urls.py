from django.urls import path

from geo import views

app_name = "geo"
urlpatterns = [
    path("communes/recherche", views.commune_search, name="commune_search"),
]
