from django.urls import path

from candidates import views

app_name = "candidates"
urlpatterns = [
    path("candidat/inscription", views.signup, name="signup"),
    path("candidat/inscription/verifiez-vos-emails", views.signup_sent, name="signup_sent"),
    path("candidat/profil/etape-<int:step>", views.onboarding, name="onboarding"),
    path("candidat/profil/termine", views.done, name="done"),
    path("candidat/profil", views.profile_edit, name="profile"),
    path("candidat/profil/pause", views.pause, name="pause"),
    path("candidat/profil/reprendre", views.resume, name="resume"),
    path("candidat/profil/contrat-trouve", views.found_contract, name="found_contract"),
    path("candidat/profil/e-mails", views.notifications, name="notifications"),
    path("candidat/situation/<str:token>", views.status_answer, name="status_answer"),
]
