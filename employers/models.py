from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from accounts.models import User
from employers.enums import MembershipSource, MembershipStatus, StaffBand, VerificationSource, VerificationStatus


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=MembershipStatus.APPROVED)

    def pending(self):
        return self.filter(status=MembershipStatus.PENDING)


class Membership(models.Model):
    """Le rattachement d'un compte à un établissement. Seul un rattachement APPROUVÉ donne accès à quoi que ce
    soit de l'établissement (offres, candidat·es, mises en relation, e-mails) : voir `Company.objects.for_member`."""

    company = models.ForeignKey("Company", on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField("état", max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.PENDING)
    source = models.CharField("origine", max_length=12, choices=MembershipSource.choices, blank=True)
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="membership_company_user")]
        indexes = [models.Index(fields=["user", "status"], name="membership_user_status")]

    def __str__(self):
        return f"Rattachement {self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED

    @property
    def is_pending(self) -> bool:
        return self.status == MembershipStatus.PENDING


class CompanyQuerySet(models.QuerySet):
    def for_member(self, user):
        """Les établissements dont `user` est membre APPROUVÉ (une demande en attente ne donne rien)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.approved().filter(company=OuterRef("pk"), user=user.pk)),
        )

    def verified(self):
        return self.filter(verification_status=VerificationStatus.VERIFIED)

    def without_members(self):
        return self.exclude(Exists(Membership.objects.approved().filter(company=OuterRef("pk"))))

    def with_pending_requests(self):
        return self.filter(Exists(Membership.objects.pending().filter(company=OuterRef("pk"))))


class Company(models.Model):
    """Un établissement employeur, identifié par son SIRET."""

    siret = models.CharField("SIRET", max_length=14, unique=True)
    name = models.CharField("nom de l'entreprise", max_length=200)
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    naf_code = models.CharField("code NAF/APE", max_length=6, blank=True)
    staff_band = models.CharField("effectif", max_length=10, choices=StaffBand.choices, default=StaffBand.FROM_0_TO_10)
    created_at = models.DateTimeField(auto_now_add=True)
    # Ce que dit l'annuaire des entreprises (API Recherche d'entreprises), à la date `directory_checked_at`.
    craft_activity_code = models.CharField(
        "activité au répertoire des métiers", max_length=10, blank=True, help_text="Vide : pas artisan."
    )
    idcc_codes = models.JSONField("conventions collectives (IDCC)", default=list, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    established_on = models.DateField("création de l'établissement", null=True, blank=True)
    directory_checked_at = models.DateTimeField("vérifié dans l'annuaire le", null=True, blank=True)
    # Vérification : seules les offres d'une entreprise vérifiée sont mises en relation.
    verification_status = models.CharField(
        "vérification", max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.TO_VERIFY
    )
    verification_reasons = models.JSONField("raisons de la vérification", default=list, blank=True)
    verification_source = models.CharField(
        "vérifiée par", max_length=12, choices=VerificationSource.choices, blank=True
    )
    verified_at = models.DateTimeField("vérifiée le", null=True, blank=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = "entreprise"
        indexes = [models.Index(fields=["verification_status"], name="company_verification")]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    @property
    def under_250(self) -> bool:
        return self.staff_band != StaffBand.FROM_250

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def members(self):
        """Les comptes membres APPROUVÉS (jamais les demandes en attente, refusées ou retirées)."""
        return User.objects.filter(Exists(Membership.objects.approved().filter(company=self.pk, user=OuterRef("pk"))))

    def active_members(self) -> list:
        """Les membres approuvés joignables par e-mail ; lit `approved_memberships` s'il a été préchargé
        (`approved_memberships_prefetch`)."""
        memberships = getattr(self, "approved_memberships", None)
        if memberships is None:
            memberships = self.memberships.approved().select_related("user")
        return [m.user for m in memberships if m.user.is_active and m.user.email]


def approved_memberships_prefetch(prefix: str = "") -> models.Prefetch:
    """Précharge les membres approuvés d'entreprises lues par `prefix` (ex. "offer__company__")."""
    return models.Prefetch(
        f"{prefix}memberships",
        queryset=Membership.objects.approved().select_related("user").order_by("pk"),
        to_attr="approved_memberships",
    )
