from django.urls import path

from backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("activation", views.enrol, name="enrol"),
    path("verification", views.verify, name="verify"),
    path("recherche", views.search, name="search"),
    path("listes/<slug:slug>", views.board_list, name="board_list"),
    path("candidats/nouveau", views.candidate_create, name="candidate_create"),
    path("candidats/<int:pk>", views.candidate_detail, name="candidate"),
    path("candidats/<int:pk>/proposer", views.candidate_propose, name="candidate_propose"),
    path("candidats/<int:pk>/pause", views.candidate_close, name="candidate_close"),
    path("candidats/<int:pk>/reprise", views.candidate_resume, name="candidate_resume"),
    path("offres/nouvelle", views.offer_create, name="offer_create"),
    path("offres/<int:pk>", views.offer_detail, name="offer"),
    path("offres/<int:pk>/modifier", views.offer_edit, name="offer_edit"),
    path("offres/<int:pk>/clore", views.offer_close, name="offer_close"),
    path("mises-en-relation/<int:pk>", views.match_detail, name="match"),
    path("mises-en-relation/<int:pk>/issue", views.match_outcome, name="match_outcome"),
    path("mises-en-relation/<int:pk>/retrait", views.match_withdraw, name="match_withdraw"),
    path("entreprises/a-verifier", views.companies_to_verify, name="companies_to_verify"),
    path("entreprises/<int:pk>", views.company_review, name="company"),
    path("entreprises/<int:pk>/decision", views.company_decide, name="company_decide"),
    path(
        "entreprises/<int:pk>/demandes/<int:membership_id>",
        views.company_membership_decide,
        name="company_membership_decide",
    ),
    path(
        "entreprises/<int:pk>/offres/<int:offer_id>/signalements",
        views.company_reports_decide,
        name="company_reports_decide",
    ),
    path("import", views.import_offers, name="import"),
    path("import/confirmer", views.import_confirm, name="import_confirm"),
    path("import/exemple.csv", views.import_example, name="import_example"),
    path("admin/cma", views.admin_cmas, name="admin_cmas"),
    path("admin/conseillers", views.admin_advisors, name="admin_advisors"),
    path("admin/conseillers/<int:pk>/territoires", views.admin_territories, name="admin_territories"),
    path("admin/conseillers/<int:pk>/deblocage", views.admin_unlock, name="admin_unlock"),
    path("admin/journal", views.admin_journal, name="admin_journal"),
]
