from django.db import models
from django.utils import timezone

from notifications.enums import OutboxStatus


class OutboxEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class OutboxEmail(models.Model):
    """Un e-mail à envoyer, écrit dans la même transaction que le changement qui le cause.

    `key` identifie l'événement (personne, paire, événement) : un même événement ne produit jamais deux
    e-mails.
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

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "e-mail sortant"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return self.key
