from django.urls import path

from matching.views import candidate, employer, kit

app_name = "matching"
urlpatterns = [
    path("candidat/", candidate.candidate_home, name="candidate_home"),
    path("candidat/mises-en-relation/<int:match_id>/reponse", candidate.candidate_answer, name="candidate_answer"),
    path("candidat/mises-en-relation/<int:match_id>/signaler", candidate.candidate_report, name="candidate_report"),
    path("employeur/", employer.employer_home, name="employer_home"),
    path("employeur/offres/<int:pk>", employer.offer_detail, name="offer_detail"),
    path(
        "employeur/offres/<int:pk>/candidats/<int:match_id>/reponse", employer.employer_answer, name="employer_answer"
    ),
    path(
        "employeur/offres/<int:pk>/candidats/<int:match_id>/suite", employer.employer_outcome, name="employer_outcome"
    ),
    path("mises-en-relation/<int:match_id>/et-maintenant", kit.kit, name="kit"),
    path("mises-en-relation/<int:match_id>/et-maintenant/etape", kit.kit_step, name="kit_step"),
    path("mises-en-relation/<int:match_id>/et-maintenant/contrat-signe", kit.kit_signed, name="kit_signed"),
]
