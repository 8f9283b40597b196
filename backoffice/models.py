import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from backoffice import crypto
from backoffice.enums import AuditAction
from geo.models import Departement


class Cma(models.Model):
    """Une chambre de métiers et de l'artisanat."""

    name = models.CharField("nom", max_length=200, unique=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name="région")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "CMA"
        ordering = ["name"]

    def __str__(self):
        return self.name


class AdvisorProfile(models.Model):
    """Un·e conseiller·e (ou l'administrateur·rice) : sa CMA, ses territoires, son second facteur."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisor_profile")
    cma = models.ForeignKey(Cma, on_delete=models.PROTECT, null=True, blank=True, related_name="advisors")
    regions = models.ManyToManyField("geo.Region", blank=True, related_name="+", verbose_name="régions")
    departements = models.ManyToManyField("geo.Departement", blank=True, related_name="+", verbose_name="départements")
    totp_secret = models.CharField(max_length=255, blank=True)  # chiffré (backoffice/crypto.py)
    totp_confirmed = models.BooleanField("second facteur activé", default=False)
    totp_last_counter = models.BigIntegerField(default=0)  # un code TOTP ne sert qu'une fois
    totp_failures = models.PositiveIntegerField("échecs consécutifs du second facteur", default=0)
    totp_failed_at = models.DateTimeField("dernier échec du second facteur", null=True, blank=True)
    totp_locked_at = models.DateTimeField("second facteur bloqué le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "profil conseiller"

    def __str__(self):
        return f"Conseiller·e {self.user_id}"

    def get_totp_secret(self) -> str:
        """Le secret TOTP en clair (vide s'il n'y en a pas encore)."""
        return crypto.decrypt(self.totp_secret) if self.totp_secret else ""

    def set_totp_secret(self, secret: str) -> None:
        self.totp_secret = crypto.encrypt(secret) if secret else ""

    def departement_codes(self):
        """Sous-requête des codes des départements couverts (les siens et ceux de ses régions)."""
        return Departement.objects.filter(
            Q(pk__in=self.departements.values("pk")) | Q(region__in=self.regions.values("pk"))
        ).values("code")


class RecoveryCode(models.Model):
    """Code de secours à usage unique ; seule l'empreinte est gardée."""

    advisor = models.ForeignKey(AdvisorProfile, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"

    def __str__(self):
        return f"Code de secours {self.pk}"

    @staticmethod
    def hash(code: str) -> str:
        normalized = code.replace("-", "").replace(" ", "").lower()
        return hashlib.sha256(f"{settings.SECRET_KEY}:{normalized}".encode()).hexdigest()


class AssistedSignup(models.Model):
    """Un profil créé par un·e conseiller·e pour un·e jeune rencontré·e, avec son accord."""

    candidate = models.OneToOneField(
        "candidates.CandidateProfile", on_delete=models.CASCADE, related_name="assisted_signup"
    )
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    consent_at = models.DateTimeField("accord donné le")

    class Meta:
        verbose_name = "inscription accompagnée"

    def __str__(self):
        return f"Inscription accompagnée {self.pk}"


class AuditLogQuerySet(models.QuerySet):
    def filter_by(self, *, action="", actor_id=None, object_type="", object_id=""):
        queryset = self
        if action:
            queryset = queryset.filter(action=action)
        if actor_id:
            queryset = queryset.filter(actor_id=actor_id)
        if object_type:
            queryset = queryset.filter(object_type=object_type)
        if object_id:
            queryset = queryset.filter(object_id=str(object_id))
        return queryset


class AuditLog(models.Model):
    """Journal des consultations de données personnelles et des changements faits par les conseiller·es.

    `details` ne contient que des identifiants et des codes, jamais de nom, d'e-mail ni de téléphone."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField("action", max_length=40, choices=AuditAction.choices)
    object_type = models.CharField("type d'objet", max_length=40, blank=True)
    object_id = models.CharField("identifiant", max_length=40, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditlog_object")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.pk})"
