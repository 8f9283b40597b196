import hashlib

from django.db import models
from django.utils import timezone


def key_hash(raw_key: str) -> str:
    """Empreinte d'une clé d'API : seule l'empreinte est gardée en base."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ApiKey(models.Model):
    """La clé d'API d'un partenaire : elle relève la limite de débit de l'API publique."""

    name = models.CharField("partenaire", max_length=200)
    key_hash = models.CharField("empreinte de la clé", max_length=64, unique=True)
    prefix = models.CharField("début de la clé", max_length=8, help_text="Pour reconnaître la clé sans la garder.")
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "clé d'API"
        verbose_name_plural = "clés d'API"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
