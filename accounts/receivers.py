"""Les signaux que les comptes écoutent : à la connexion, le refus de l'adresse par son serveur d'e-mails."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

# Date du refus de l'adresse par son serveur, notée à la connexion : le bandeau de l'espace la lit ici.
EMAIL_REFUSED_SESSION_KEY = "email_refused_on"


@receiver(user_logged_in, dispatch_uid="accounts.note_email_refusal")
def note_email_refusal(sender, request, user, **kwargs):
    """À la connexion (lien ou FranceConnect) : si son serveur refuse nos e-mails, la personne le voit."""
    refusal = user.email_refusal()
    if refusal is None:
        request.session.pop(EMAIL_REFUSED_SESSION_KEY, None)
    else:
        request.session[EMAIL_REFUSED_SESSION_KEY] = timezone.localtime(refusal.refused_at).strftime("%d/%m/%Y")
