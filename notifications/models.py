from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.enums import EmailKind, OutboxStatus


class OutboxEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())

    def concerning(self, user):
        """Les e-mails qui portent des données de `user` (destinataire ou personne citée)."""
        return self.filter(concerns=user)


class OutboxEmail(models.Model):
    """Un e-mail à envoyer, écrit dans la même transaction que le changement qui le cause.

    `key` identifie l'événement (personne, paire, événement) : un même événement ne produit jamais deux
    e-mails. `concerns` : les comptes dont le message porte des données (le destinataire, et par exemple
    le ou la jeune dont les coordonnées sont envoyées à l'employeur) ; l'objet et le texte sont effacés
    (`redacted_at`) quand l'un d'eux est supprimé, et 30 jours après l'envoi (privacy/retention.py).
    """

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    concerns = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="emails_concerning", blank=True, verbose_name="personnes concernées"
    )
    redacted_at = models.DateTimeField("objet et texte effacés le", null=True, blank=True)
    # Demandé à l'instant par la personne (lien de connexion) : envoyé même à une adresse refusée.
    requested = models.BooleanField(default=False)
    # Sorte d'e-mail (`EmailKind`) et compte destinataire : l'en-tête List-Unsubscribe (RFC 8058) désabonne ce
    # compte de cette sorte. Vide : lien de connexion, sans désabonnement.
    kind = models.CharField("sorte", max_length=10, choices=EmailKind.choices, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "e-mail sortant"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return self.key


class UndeliverableAddress(models.Model):
    """Une adresse que son serveur de messagerie a refusée définitivement (réponse SMTP 5xx).

    L'outbox n'y envoie plus rien, sauf ce que la personne demande elle-même (lien de connexion), jusqu'à
    ce qu'elle confirme son adresse ou en change.
    """

    email = models.EmailField(unique=True)
    smtp_code = models.PositiveSmallIntegerField()
    refused_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "adresse refusée"
        verbose_name_plural = "adresses refusées"

    def __str__(self):
        return f"Adresse refusée {self.pk}"


class EmailPreference(models.Model):
    """Les choix d'une personne sur ses e-mails : les sortes dont elle s'est désabonnée, et pour les employeurs
    le résumé quotidien des nouveaux profils plutôt qu'un e-mail par profil."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    unsubscribed = models.JSONField("sortes désabonnées", default=list, blank=True)
    daily_digest = models.BooleanField("résumé quotidien des nouveaux profils", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférences d'e-mails"
        verbose_name_plural = "préférences d'e-mails"

    def __str__(self):
        return f"Préférences d'e-mails {self.user_id}"
