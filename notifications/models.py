from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.enums import OutboxStatus


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


class MailServerPause(models.Model):
    """Le serveur d'envoi (relais SMTP) répond « réessayez plus tard » à tout le monde, ou ne répond plus.

    Tant que `paused_until` n'est pas passé, l'outbox ne lui envoie rien : les e-mails attendent sans
    compter de nouvel essai ni allonger leur propre délai. À l'échéance, un envoi sert d'essai ; s'il passe,
    la pause est levée et tout l'arriéré part aussitôt ; sinon elle reprend, plus longue (`failures`).
    Une ligne par serveur (`server` : hôte et port), partagée par tous les workers.
    """

    server = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "pause du serveur d'envoi"
        verbose_name_plural = "pauses du serveur d'envoi"

    def __str__(self):
        return self.server
