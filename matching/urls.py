from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("candidat/mises-en-relation/<int:match_id>/reponse", views.candidate_answer, name="candidate_answer"),
    path("employeur/offres/<int:pk>/candidats/<int:match_id>/reponse", views.employer_answer, name="employer_answer"),
    path("employeur/offres/<int:pk>/candidats/<int:match_id>/suite", views.employer_outcome, name="employer_outcome"),
    path("mises-en-relation/<int:match_id>/et-maintenant", views.kit, name="kit"),
    path("mises-en-relation/<int:match_id>/et-maintenant/etape", views.kit_step, name="kit_step"),
    path("mises-en-relation/<int:match_id>/et-maintenant/contrat-signe", views.kit_signed, name="kit_signed"),
]
