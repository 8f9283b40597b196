from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.enums import EmailKind, OutboxStatus, RefusalSource, SmsDelivery


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
    # Le refus vient du serveur SMTP, ou d'un événement de l'opérateur d'envoi (django-anymail : rebond définitif,
    # plainte pour courrier indésirable).
    source = models.CharField(max_length=10, choices=RefusalSource.choices, default=RefusalSource.SMTP)

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


class SmsSubscription(models.Model):
    """Le numéro de mobile vérifié d'une personne et les sortes de messages qu'elle veut par SMS (`EmailKind`).

    `stopped_at` : la personne a répondu STOP (ou cliqué le lien d'arrêt) ; plus aucun SMS jusqu'à ce qu'elle
    revienne choisir des sortes."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_subscription")
    phone = models.CharField("mobile (format international)", max_length=20, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    kinds = models.JSONField("sortes reçues par SMS", default=list, blank=True)
    stopped_at = models.DateTimeField("arrêt demandé le", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "abonnement aux SMS"
        indexes = [models.Index(fields=["phone"], name="sms_subscription_phone")]

    def __str__(self):
        return f"SMS {self.user_id}"

    def wants(self, kind: str) -> bool:
        return bool(self.verified_at and self.phone and not self.stopped_at and kind in self.kinds)


class PhoneVerification(models.Model):
    """Un code envoyé par SMS pour prouver qu'un mobile est à la personne : valable 10 minutes, 5 essais."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "vérification d'un mobile"

    def __str__(self):
        return f"Vérification {self.pk}"


class OutboxSms(models.Model):
    """Un SMS à envoyer, écrit avec le changement qui le cause et envoyé par le worker, comme les e-mails :
    une clé par événement, réclamé avant l'envoi, réessayé, repris s'il a été interrompu.

    `not_before` : pas d'envoi entre 20 h et 8 h ; un SMS écrit le soir part le lendemain matin."""

    key = models.CharField(max_length=200, unique=True)
    to = models.CharField(max_length=20)
    body = models.TextField()
    kind = models.CharField("sorte", max_length=10, choices=EmailKind.choices, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField("identifiant chez l'opérateur", max_length=100, blank=True)
    segments = models.PositiveSmallIntegerField("SMS facturés", default=0)
    credits = models.DecimalField("crédits consommés", max_digits=8, decimal_places=2, default=0)
    delivery = models.CharField("accusé de réception", max_length=10, choices=SmsDelivery.choices, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField("texte effacé le", null=True, blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "SMS sortant"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_sms_due"),
            models.Index(fields=["recipient", "next_attempt_at"], name="outbox_sms_recipient_day"),
            models.Index(fields=["provider_id"], name="outbox_sms_provider_id"),
        ]

    def __str__(self):
        return self.key
