from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.views import note_email_refusal

        user_logged_in.connect(note_email_refusal, dispatch_uid="accounts.note_email_refusal")
