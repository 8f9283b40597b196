import hashlib

from django.db import models
from django.utils import timezone

from partners.enums import LbaStatus


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


class LbaPublicationQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=LbaStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class LbaPublication(models.Model):
    """La diffusion d'une offre sur La bonne alternance (API « job/v1/offer ») : une ligne par offre.

    Comme l'outbox des e-mails, chaque changement est noté dans la transaction qui le cause et envoyé par le
    worker. `wanted_version` croît à chaque changement de l'offre, `sent_version` est la dernière version
    acceptée par La bonne alternance : plusieurs changements rapprochés ne font qu'un envoi, de l'état du moment.
    L'offre n'est créée là-bas (POST) qu'une fois, tant que `lba_id` est vide et que la ligne est réclamée par un
    seul worker ; ensuite, elle est mise à jour (PUT), et « fermée » (date d'expiration au jour même) quand elle
    n'est plus en ligne ici ou que l'employeur retire son accord.
    """

    offer = models.OneToOneField("offers.Offer", on_delete=models.CASCADE, related_name="lba_publication")
    lba_id = models.CharField("identifiant chez La bonne alternance", max_length=64, blank=True)
    status = models.CharField("état", max_length=10, choices=LbaStatus.choices, default=LbaStatus.PENDING)
    wanted_version = models.PositiveIntegerField(default=1)
    sent_version = models.PositiveIntegerField(default=0)
    is_open = models.BooleanField("en ligne là-bas", default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = LbaPublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "diffusion sur La bonne alternance"
        verbose_name_plural = "diffusions sur La bonne alternance"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="lba_due")]

    def __str__(self):
        return f"Diffusion de l'offre {self.offer_id}"


class WidgetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Widget(models.Model):
    """Le module de recherche d'offres qu'une CMA ou un CFA intègre à son site (`/widget/<slug>`, en iframe).

    Seuls les sites de `allowed_origins` peuvent l'afficher (`frame-ancestors` de la CSP de la page) ; il ne
    lit ni n'écrit aucune donnée personnelle (pas de cookie, pas de compte)."""

    name = models.CharField("partenaire", max_length=200)
    slug = models.SlugField("adresse", max_length=60, unique=True)
    allowed_origins = models.JSONField(
        "sites autorisés", default=list, help_text="Origines, par exemple https://www.cma-hautsdefrance.fr"
    )
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    objects = WidgetQuerySet.as_manager()

    class Meta:
        verbose_name = "module de recherche intégré"
        verbose_name_plural = "modules de recherche intégrés"

    def __str__(self):
        return f"{self.name} ({self.slug})"
