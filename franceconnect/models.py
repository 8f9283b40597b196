import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class FranceConnectIdentity(models.Model):
    """L'identité FranceConnect reliée à un compte : `sub` est l'identifiant stable donné par FranceConnect."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="franceconnect_identity", verbose_name="compte"
    )
    sub = models.CharField("identifiant FranceConnect", max_length=255, unique=True)
    given_name = models.CharField("prénoms", max_length=255)
    family_name = models.CharField("nom de naissance", max_length=255)
    birthdate = models.DateField("date de naissance")
    verified_at = models.DateTimeField("vérifiée le", default=timezone.now)

    class Meta:
        verbose_name = "identité FranceConnect"
        verbose_name_plural = "identités FranceConnect"

    def __str__(self):
        return f"Identité FranceConnect {self.pk}"


class LinkRequest(models.Model):
    """Demande de liaison d'une identité FranceConnect à un compte existant (même e-mail).

    La personne la confirme par un lien à usage unique envoyé à l'adresse du compte ; seule l'empreinte
    du jeton est gardée.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="compte"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sub = models.CharField("identifiant FranceConnect", max_length=255)
    given_name = models.CharField("prénoms", max_length=255)
    family_name = models.CharField("nom de naissance", max_length=255)
    birthdate = models.DateField("date de naissance")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "demande de liaison FranceConnect"
        verbose_name_plural = "demandes de liaison FranceConnect"

    def __str__(self):
        return f"Demande de liaison {self.pk}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
