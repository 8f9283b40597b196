import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("serveur SMTP injoignable")


class RecipientRefusingBackend(BaseEmailBackend):
    """Le serveur refuse ce destinataire pour l'instant (450), la connexion reste bonne."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({email_messages[0].to[0]: (450, b"4.2.1 Boite pleine")})
