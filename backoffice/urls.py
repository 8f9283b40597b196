from django.urls import path

from backoffice.views import admin, auth, boards, candidates, companies, imports, matches, offers

app_name = "backoffice"

urlpatterns = [
    path("", boards.home, name="home"),
    path("activation", auth.enrol, name="enrol"),
    path("verification", auth.verify, name="verify"),
    path("recherche", boards.search, name="search"),
    path("listes/<slug:slug>", boards.board_list, name="board_list"),
    path("candidats/nouveau", candidates.candidate_create, name="candidate_create"),
    path("candidats/<int:pk>", candidates.candidate_detail, name="candidate"),
    path("candidats/<int:pk>/proposer", candidates.candidate_propose, name="candidate_propose"),
    path("candidats/<int:pk>/pause", candidates.candidate_close, name="candidate_close"),
    path("candidats/<int:pk>/reprise", candidates.candidate_resume, name="candidate_resume"),
    path("offres/nouvelle", offers.offer_create, name="offer_create"),
    path("offres/<int:pk>", offers.offer_detail, name="offer"),
    path("offres/<int:pk>/modifier", offers.offer_edit, name="offer_edit"),
    path("offres/<int:pk>/clore", offers.offer_close, name="offer_close"),
    path("mises-en-relation/<int:pk>", matches.match_detail, name="match"),
    path("mises-en-relation/<int:pk>/issue", matches.match_outcome, name="match_outcome"),
    path("mises-en-relation/<int:pk>/retrait", matches.match_withdraw, name="match_withdraw"),
    path("entreprises/a-verifier", companies.companies_to_verify, name="companies_to_verify"),
    path("entreprises/<int:pk>", companies.company_review, name="company"),
    path("entreprises/<int:pk>/decision", companies.company_decide, name="company_decide"),
    path(
        "entreprises/<int:pk>/demandes/<int:membership_id>",
        companies.company_membership_decide,
        name="company_membership_decide",
    ),
    path(
        "entreprises/<int:pk>/offres/<int:offer_id>/signalements",
        companies.company_reports_decide,
        name="company_reports_decide",
    ),
    path("import", imports.import_offers, name="import"),
    path("import/confirmer", imports.import_confirm, name="import_confirm"),
    path("import/exemple.csv", imports.import_example, name="import_example"),
    path("admin/cma", admin.admin_cmas, name="admin_cmas"),
    path("admin/conseillers", admin.admin_advisors, name="admin_advisors"),
    path("admin/conseillers/<int:pk>/territoires", admin.admin_territories, name="admin_territories"),
    path("admin/conseillers/<int:pk>/deblocage", admin.admin_unlock, name="admin_unlock"),
    path("admin/journal", admin.admin_journal, name="admin_journal"),
]
