from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("mises-en-relation/<int:match_id>/et-maintenant", views.kit, name="kit"),
    path("mises-en-relation/<int:match_id>/et-maintenant/etape", views.kit_step, name="kit_step"),
    path("mises-en-relation/<int:match_id>/et-maintenant/contrat-signe", views.kit_signed, name="kit_signed"),
]
