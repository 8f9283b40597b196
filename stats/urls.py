from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("stats", views.index, name="index"),
    path("stats/donnees.csv", views.open_data_csv, name="open_data_csv"),
    path("stats/donnees.json", views.open_data_json, name="open_data_json"),
    path("stats/schema.json", views.schema, name="schema"),
]
