"""Écritures : comptes créés, reliés ou retrouvés à partir d'une identité FranceConnect ou ProConnect."""

import dataclasses
import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from candidates.services import candidate_start
from employers import validators
from employers.models import Company
from employers.services import membership_approve_from_proconnect
from franceconnect.models import FranceConnectIdentity, LinkRequest
from notifications.services import email_enqueue

LINK_VALIDITY = datetime.timedelta(minutes=15)


class IdentityError(Exception):
    """Identité inutilisable ; `message` est la phrase à montrer à la personne."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Identity:
    """L'identité pivot vérifiée par FranceConnect."""

    sub: str
    given_name: str
    family_name: str
    birthdate: datetime.date
    email: str

    @classmethod
    def from_claims(cls, claims: dict) -> "Identity":
        try:
            birthdate = datetime.date.fromisoformat(str(claims.get("birthdate", "")))
        except ValueError as error:
            raise IdentityError(
                "FranceConnect n'a pas transmis de date de naissance valable. Inscrivez-vous avec votre adresse e-mail."
            ) from error
        email = User.objects.normalize_email(str(claims.get("email") or "")).strip().lower()
        if not email or "@" not in email:
            raise IdentityError(
                "FranceConnect n'a pas transmis d'adresse e-mail. Inscrivez-vous avec votre adresse e-mail."
            )
        given_name = str(claims.get("given_name") or "").strip()
        family_name = str(claims.get("family_name") or "").strip()
        if not given_name or not family_name:
            raise IdentityError(
                "FranceConnect n'a pas transmis vos nom et prénoms. Inscrivez-vous avec votre adresse e-mail."
            )
        return cls(
            sub=str(claims["sub"]),
            given_name=given_name[:150],
            family_name=family_name[:150],
            birthdate=birthdate,
            email=email,
        )


@dataclasses.dataclass(frozen=True)
class SignIn:
    """Résultat d'un retour de FranceConnect : `user` à connecter (créé·e ou non), ou e-mail de liaison envoyé."""

    user: User | None
    created: bool = False
    link_sent: bool = False


def _identity_fields(identity: Identity) -> dict:
    return {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "birthdate": identity.birthdate,
        "verified_at": timezone.now(),
    }


@transaction.atomic
def franceconnect_sign_in(*, identity: Identity) -> SignIn:
    """Retrouve le compte de l'identité (par `sub`), ou crée un compte candidat·e pré-rempli.

    Si un compte existe déjà avec la même adresse e-mail, il n'est relié qu'après confirmation par un lien
    envoyé à cette adresse : aucune session n'est ouverte d'ici là.
    """
    known = FranceConnectIdentity.objects.select_related("user").filter(sub=identity.sub).first()
    if known is not None:
        if not known.user.is_active:
            raise IdentityError("Ce compte est désactivé. Contactez-nous pour le réactiver.")
        for name, value in _identity_fields(identity).items():
            setattr(known, name, value)
        known.save()
        User.objects.filter(pk=known.user_id).update(last_activity_at=timezone.now())
        return SignIn(user=known.user)
    existing = User.objects.filter(email=identity.email).first()
    if existing is not None:
        if not existing.is_active:
            raise IdentityError("Ce compte est désactivé. Contactez-nous pour le réactiver.")
        if hasattr(existing, "franceconnect_identity"):
            raise IdentityError(
                "Le compte qui utilise cette adresse e-mail est déjà relié à une autre identité FranceConnect. "
                "Connectez-vous avec votre adresse e-mail."
            )
        franceconnect_link_send(user=existing, identity=identity)
        return SignIn(user=None, link_sent=True)
    user = User.objects.create_user(
        identity.email, role=Role.CANDIDATE, first_name=identity.given_name, last_name=identity.family_name
    )
    FranceConnectIdentity.objects.create(user=user, sub=identity.sub, **_identity_fields(identity))
    candidate_start(
        user=user, birth_date=identity.birthdate, first_name=identity.given_name, last_name=identity.family_name
    )
    return SignIn(user=user, created=True)


@transaction.atomic
def franceconnect_link_send(*, user: User, identity: Identity) -> str:
    """Envoie à `user` le lien (15 minutes, usage unique) qui confirme la liaison ; renvoie le jeton."""
    token = secrets.token_urlsafe(32)
    request = LinkRequest.objects.create(
        user=user,
        token_hash=LinkRequest.hash(token),
        sub=identity.sub,
        given_name=identity.given_name,
        family_name=identity.family_name,
        birthdate=identity.birthdate,
        expires_at=timezone.now() + LINK_VALIDITY,
    )
    email_enqueue(
        key=f"franceconnect-link:{request.pk}",
        to=user,
        template="franceconnect/emails/link",
        context={"user": user, "path": f"/franceconnect/liaison/{token}", "minutes": 15},
        kind="",  # un lien de confirmation que la personne vient de demander : pas de désabonnement
    )
    return token


class LinkError(Exception):
    """Lien de liaison inutilisable ; `reason` vaut "inconnu", "utilise", "expire" ou "deja_relie"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def franceconnect_link_peek(*, token: str) -> LinkRequest:
    """La demande de liaison du jeton `token`, si elle est encore utilisable ; sinon LinkError."""
    request = LinkRequest.objects.select_related("user").filter(token_hash=LinkRequest.hash(token)).first()
    if request is None or not request.user.is_active:
        raise LinkError("inconnu")
    if request.used_at is not None:
        raise LinkError("utilise")
    if request.expires_at <= timezone.now():
        raise LinkError("expire")
    return request


@transaction.atomic
def franceconnect_link_confirm(*, token: str) -> User:
    """Relie l'identité au compte (une seule fois, même avec deux clics simultanés) ; renvoie le compte."""
    request = franceconnect_link_peek(token=token)
    now = timezone.now()
    if not LinkRequest.objects.filter(pk=request.pk, used_at__isnull=True).update(used_at=now):
        raise LinkError("utilise")
    user = request.user
    if (
        FranceConnectIdentity.objects.filter(user=user).exists()
        or FranceConnectIdentity.objects.filter(sub=request.sub).exists()
    ):
        raise LinkError("deja_relie")
    FranceConnectIdentity.objects.create(
        user=user,
        sub=request.sub,
        given_name=request.given_name,
        family_name=request.family_name,
        birthdate=request.birthdate,
        verified_at=now,
    )
    User.objects.filter(pk=user.pk).update(last_activity_at=now)
    return user


# --- ProConnect (professionnel·les : employeurs, conseiller·es CMA) -------------------------------------

PROCONNECT_ROLES = {Role.EMPLOYER, Role.ADVISOR, Role.ADMIN}
CANDIDATE_REFUSED = (
    "Ce compte est un compte candidat·e : ProConnect est réservé aux professionnel·les (employeurs, "
    "conseiller·es CMA). Connectez-vous avec FranceConnect, ou recevez un lien de connexion par e-mail."
)


@dataclasses.dataclass(frozen=True)
class ProIdentity:
    """L'identité transmise par ProConnect : adresse vérifiée, prénoms, nom d'usage, SIRET éventuel."""

    sub: str
    email: str
    given_name: str
    usual_name: str
    siret: str = ""

    @classmethod
    def from_claims(cls, claims: dict) -> "ProIdentity":
        email = User.objects.normalize_email(str(claims.get("email") or "")).strip().lower()
        if not email or "@" not in email or claims.get("email_verified") is False:
            raise IdentityError(
                "ProConnect n'a pas transmis d'adresse e-mail vérifiée. Recevez un lien de connexion par e-mail."
            )
        try:
            siret = validators.clean_siret(str(claims.get("siret") or "")) if claims.get("siret") else ""
        except ValidationError:
            siret = ""  # un SIRET illisible ne bloque pas la connexion : l'établissement sera demandé
        return cls(
            sub=str(claims["sub"]),
            email=email,
            given_name=str(claims.get("given_name") or "").strip()[:150],
            usual_name=str(claims.get("usual_name") or "").strip()[:150],
            siret=siret,
        )


@dataclasses.dataclass(frozen=True)
class ProSignIn:
    """Résultat d'un retour de ProConnect : le compte à connecter, et l'établissement du SIRET transmis s'il est
    connu (`joined` : rattachement nouveau)."""

    user: User
    created: bool = False
    company: Company | None = None
    joined: bool = False


@transaction.atomic
def proconnect_sign_in(*, identity: ProIdentity) -> ProSignIn:
    """Retrouve le compte professionnel de l'adresse vérifiée par ProConnect, ou crée un compte employeur.

    Un compte candidat·e n'entre pas par ProConnect. Le second facteur des conseiller·es reste exigé par le
    back-office. Si ProConnect transmet un SIRET connu, l'employeur est rattaché à cet établissement.
    """
    user = User.objects.filter(email__iexact=identity.email).first()
    created = False
    if user is None:
        user = User.objects.create_user(
            identity.email, role=Role.EMPLOYER, first_name=identity.given_name, last_name=identity.usual_name
        )
        created = True
    elif not user.is_active:
        raise IdentityError("Ce compte est désactivé. Contactez-nous pour le réactiver.")
    elif user.role not in PROCONNECT_ROLES:
        raise IdentityError(CANDIDATE_REFUSED)
    User.objects.filter(pk=user.pk).update(last_activity_at=timezone.now())
    company, joined = None, False
    if identity.siret and user.role == Role.EMPLOYER:
        joined = not Company.objects.for_member(user).filter(siret=identity.siret).exists()
        company = membership_approve_from_proconnect(user=user, siret=identity.siret)
    return ProSignIn(user=user, created=created, company=company, joined=joined and company is not None)
