from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("offres", views.offer_search, name="offer_search"),
    path("offres/<int:pk>", views.offer_detail, name="offer_detail"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("widget/<slug:slug>", views.widget, name="widget"),
]
