from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("offres/<int:pk>", views.offer_detail, name="offer_detail"),
]
