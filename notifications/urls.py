from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("e-mails/desabonnement/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("mes-e-mails", views.preferences, name="preferences"),
    path("sms/evenements/<str:secret>", views.sms_events, name="sms_events"),
    path("sms/arret/<str:token>", views.sms_stop, name="sms_stop"),
]
