import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import MagicLink, User
from notifications.services import address_confirm, email_enqueue

MAGIC_LINK_VALIDITY = datetime.timedelta(minutes=15)


class MagicLinkError(Exception):
    """Lien inutilisable ; `reason` vaut "inconnu", "utilise" ou "expire"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def magic_link_send(*, user: User, next_url: str = "") -> str:
    """Crée un lien de connexion à usage unique et l'envoie par e-mail ; renvoie le jeton."""
    token = secrets.token_urlsafe(32)
    link = MagicLink.objects.create(
        user=user,
        token_hash=MagicLink.hash(token),
        expires_at=timezone.now() + MAGIC_LINK_VALIDITY,
        next_url=next_url,
    )
    email_enqueue(
        key=f"magic-link:{link.pk}",
        to=user,
        template="accounts/emails/magic_link",
        context={"user": user, "path": f"/connexion/lien/{token}", "minutes": 15},
        requested=True,
    )
    return token


@transaction.atomic
def magic_link_request(*, email: str, next_url: str = "") -> bool:
    """Envoie un lien de connexion si `email` a un compte actif ; renvoie True s'il est parti."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return False
    magic_link_send(user=user, next_url=next_url)
    return True


def magic_link_peek(*, token: str) -> MagicLink:
    """Le lien `token`, s'il est encore utilisable ; sinon MagicLinkError."""
    link = MagicLink.objects.select_related("user").filter(token_hash=MagicLink.hash(token)).first()
    if link is None or not link.user.is_active:
        raise MagicLinkError("inconnu")
    if link.used_at is not None:
        raise MagicLinkError("utilise")
    if link.expires_at <= timezone.now():
        raise MagicLinkError("expire")
    return link


@transaction.atomic
def magic_link_consume(*, token: str) -> MagicLink:
    """Marque le lien comme utilisé (une seule fois, même avec deux clics simultanés)."""
    link = magic_link_peek(token=token)
    now = timezone.now()
    if not MagicLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise MagicLinkError("utilise")
    User.objects.filter(pk=link.user_id).update(last_activity_at=now)
    return link


def email_address_confirm(*, user: User) -> bool:
    """La personne dit que son adresse fonctionne à nouveau : nos e-mails repartent vers elle."""
    return address_confirm(email=user.email)
