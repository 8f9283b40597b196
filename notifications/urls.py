from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("d/<str:token>", views.unsubscribe, name="unsubscribe"),  # court : voir `preferences.unsubscribe_url`
    path("mes-e-mails", views.preferences, name="preferences"),
    path("sms/evenements/<str:secret>", views.sms_events, name="sms_events"),
    path("s/<str:token>", views.sms_stop, name="sms_stop"),
]
