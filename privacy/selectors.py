"""Lectures de l'application privacy : qui est concerné par les durées de conservation, et ce que l'on
détient sur une personne (« Mes données »)."""

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.enums import Role
from accounts.models import MagicLink, User
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from employers.enums import MembershipStatus
from employers.models import Company, Membership
from matching.models import Match
from notifications.models import OutboxEmail
from privacy import retention
from privacy.services import inactivity_warning_key

RETAINED_ROLES = (Role.CANDIDATE, Role.EMPLOYER)


def _retained_users():
    return (
        User.objects.filter(is_active=True, role__in=RETAINED_ROLES)
        .exclude(email__endswith="@" + retention.ANONYMOUS_EMAIL_DOMAIN)
        .annotate(last_seen=Coalesce(F("last_activity_at"), F("date_joined")))
    )


def users_to_warn(now=None):
    """Comptes inactifs dont l'anonymisation arrive dans 30 jours ou moins."""
    now = now or timezone.now()
    return _retained_users().filter(
        last_seen__lte=now - retention.INACTIVE_ACCOUNT + retention.INACTIVITY_WARNING_AHEAD
    )


def users_to_anonymise_for_inactivity(now=None):
    """Comptes inactifs depuis 2 ans, prévenus depuis 30 jours au moins (la clé de l'alerte le prouve)."""
    now = now or timezone.now()
    candidates = _retained_users().filter(last_seen__lte=now - retention.INACTIVE_ACCOUNT)
    warned_before = now - retention.INACTIVITY_WARNING_AHEAD
    ready = []
    for user in candidates:
        if OutboxEmail.objects.filter(key=inactivity_warning_key(user), created_at__lte=warned_before).exists():
            ready.append(user)
    return ready


def users_with_old_contract(now=None):
    now = now or timezone.now()
    return _retained_users().filter(
        candidate_profile__status=SearchStatus.FOUND,
        candidate_profile__found_contract_at__lte=now - retention.FOUND_CONTRACT,
    )


def unfinished_signups(now=None):
    """Inscriptions abandonnées depuis 30 jours : profil candidat incomplet, ou compte jamais connecté
    sans profil complet ni entreprise."""
    now = now or timezone.now()
    limit = now - retention.UNFINISHED_SIGNUP
    complete_profile = CandidateProfile.objects.filter(user=OuterRef("pk"), is_complete=True)
    incomplete_profile = CandidateProfile.objects.filter(user=OuterRef("pk"), is_complete=False, created_at__lte=limit)
    return (
        User.objects.filter(role__in=RETAINED_ROLES, date_joined__lte=limit, is_staff=False)
        .exclude(email__endswith="@" + retention.ANONYMOUS_EMAIL_DOMAIN)
        .annotate(has_complete=Exists(complete_profile), has_incomplete=Exists(incomplete_profile))
        .filter(has_complete=False, memberships__isnull=True)
        .filter(Q(has_incomplete=True) | Q(last_activity_at__isnull=True))
        .distinct()
    )


def personal_data(user: User) -> dict:
    """Tout ce que le service détient sur `user`, prêt à afficher ou à exporter en JSON."""
    data = {
        "compte": {
            "adresse e-mail": user.email,
            "prénom": user.first_name,
            "nom": user.last_name,
            "téléphone": user.phone,
            "rôle": user.get_role_display(),
            "inscrit·e le": user.date_joined,
            "dernière connexion": user.last_activity_at,
        },
        "liens de connexion": {
            "nombre": MagicLink.objects.filter(user=user).count(),
            "utilisés": MagicLink.objects.filter(user=user, used_at__isnull=False).count(),
        },
        "e-mails envoyés": [
            {"objet": subject, "date": sent_at or created_at, "envoyé": sent_at is not None}
            for subject, sent_at, created_at in OutboxEmail.objects.filter(to__iexact=user.email)
            .order_by("-created_at")
            .values_list("subject", "sent_at", "created_at")
        ],
    }
    data["profil candidat·e"] = _candidate_data(user)
    data["entreprises"] = _company_data(user)
    data["identité FranceConnect"] = _franceconnect_data(user)
    data["conseiller·e"] = _advisor_data(user)
    return data


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:  # application absente
        return None


def _franceconnect_data(user):
    model = _model("franceconnect.FranceConnectIdentity")
    identity = model.objects.filter(user=user).first() if model else None
    if identity is None:
        return None
    return {
        "prénoms": identity.given_name,
        "nom de naissance": identity.family_name,
        "date de naissance": identity.birthdate,
        "vérifiée le": identity.verified_at,
    }


def _advisor_data(user):
    model = _model("backoffice.AdvisorProfile")
    profile = model.objects.filter(user=user).select_related("cma").first() if model else None
    if profile is None:
        return None
    return {
        "CMA": str(profile.cma) if profile.cma else None,
        "régions": [str(r) for r in profile.regions.all()],
        "départements": [str(d) for d in profile.departements.all()],
        "second facteur activé": profile.totp_confirmed,
    }


def _value(instance, field):
    if field.choices:
        return getattr(instance, f"get_{field.name}_display")()
    return getattr(instance, field.attname)


# Libellés français des champs sans nom lisible (verbose_name par défaut = nom anglais du champ).
FIELD_LABELS = {
    "found_contract_at": "contrat trouvé le",
    "found_through_service": "contrat trouvé grâce au service",
    "created_at": "créé le",
    "updated_at": "modifié le",
}


def _fields(instance, exclude=("id", "user")) -> dict:
    return {
        FIELD_LABELS.get(f.name, str(f.verbose_name)): _value(instance, f)
        for f in instance._meta.concrete_fields
        if f.name not in exclude
    }


def _candidate_data(user):
    profile = CandidateProfile.objects.filter(user=user).select_related("commune").first()
    if profile is None:
        return None
    data = _fields(profile, exclude=("id", "user", "commune"))
    data["commune"] = str(profile.commune.name) if profile.commune else None
    data["métiers"] = [str(t) for t in profile.trades.all()]
    data["mises en relation"] = [
        {
            "offre": match.offer_id,
            "entreprise": match.offer.company.name,
            "métier": str(match.offer.trade),
            "état": match.get_state_display(),
            "créée le": match.created_at,
            "distance (km)": round(match.distance_km, 1),
        }
        for match in Match.objects.filter(candidate=profile).select_related("offer__company", "offer__trade")
    ]
    return data


def _company_data(user):
    # Demandes de rattachement non approuvées : la demande seulement, rien de l'entreprise.
    companies = [
        {"SIRET": m.company.siret, "nom": m.company.name, "rattachement": m.get_status_display(), "offres": []}
        for m in Membership.objects.filter(user=user)
        .exclude(status=MembershipStatus.APPROVED)
        .select_related("company")
    ]
    for company in (
        Company.objects.for_member(user).select_related("commune").prefetch_related("offers__trade", "offers__matches")
    ):
        companies.append(
            {
                "SIRET": company.siret,
                "nom": company.name,
                "commune": company.commune.name if company.commune else None,
                "offres": [
                    {
                        "numéro": offer.pk,
                        "métier": str(offer.trade),
                        "état": offer.get_status_display(),
                        "créée le": offer.created_at,
                        "mises en relation": [
                            {"état": m.get_state_display(), "créée le": m.created_at} for m in offer.matches.all()
                        ],
                    }
                    for offer in company.offers.all()
                ],
            }
        )
    return companies
