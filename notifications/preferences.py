"""Désabonnement en un clic (RFC 8058), préférences par sorte d'e-mail et lien d'arrêt des SMS."""

import base64
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from notifications.enums import EmailKind
from notifications.models import EmailPreference, OutboxEmail

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
SMS_STOP_SALT = "notifications.sms-stop"
SIGNATURE_CHARS = 22  # 132 bits de HMAC-SHA256 : assez, et l'adresse tient sur une ligne d'en-tête (78 caractères)


def _short_token(salt: str, value: str) -> str:
    """`value` et sa signature : un jeton court, sans date d'expiration (un lien de désabonnement doit marcher
    longtemps) ; il ne porte qu'un numéro de compte, jamais une adresse ni un numéro de téléphone."""
    digest = base64.urlsafe_b64encode(salted_hmac(salt, value, algorithm="sha256").digest()).decode()
    return f"{value}.{digest[:SIGNATURE_CHARS]}"  # « . » n'est pas dans l'alphabet base64 des URL


def _short_token_read(salt: str, token: str) -> str | None:
    value, _, _signature = (token or "").rpartition(".")
    return value if value and constant_time_compare(_short_token(salt, value), token) else None


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return _short_token(UNSUBSCRIBE_SALT, f"{user_id}-{EmailKind.values.index(kind)}")


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(compte, sorte) d'un jeton de `unsubscribe_token` ; None s'il est faux ou abîmé."""
    value = _short_token_read(UNSUBSCRIBE_SALT, token)
    user_id, _, index = (value or "").partition("-")
    if not (user_id.isdigit() and index.isdigit() and int(index) < len(EmailKind.values)):
        return None
    return int(user_id), EmailKind.values[int(index)]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    """L'adresse de désabonnement en un clic : courte, pour que l'en-tête List-Unsubscribe tienne sur une ligne
    (plus longue, elle serait découpée en « mots encodés » que les messageries ne lisent pas comme une adresse)."""
    return f"{settings.SITE_URL}/d/{unsubscribe_token(user_id=user_id, kind=kind)}"


def unsubscribe_headers(email: OutboxEmail) -> dict:
    """Les en-têtes List-Unsubscribe et List-Unsubscribe-Post (désabonnement en un clic, RFC 8058) d'un e-mail
    de l'outbox ; aucun pour un lien de connexion."""
    if not email.kind or email.recipient_id is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=email.recipient_id, kind=email.kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_preference_of(user) -> EmailPreference:
    """Les préférences de `user` (non enregistrées s'il n'en a jamais choisi)."""
    preference = EmailPreference.objects.filter(user=user).first()
    return preference or EmailPreference(user=user)


def is_unsubscribed(*, user, kind: str) -> bool:
    return kind in email_preference_of(user).unsubscribed


@transaction.atomic
def email_unsubscribe(*, user, kind: str) -> bool:
    """Désabonne `user` de la sorte `kind` ; renvoie False s'il l'était déjà."""
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    if kind in preference.unsubscribed:
        return False
    preference.unsubscribed = sorted({*preference.unsubscribed, kind})
    preference.save(update_fields=["unsubscribed", "updated_at"])
    return True


@transaction.atomic
def email_preferences_set(*, user, subscribed: Iterable[str], daily_digest: bool | None = None) -> EmailPreference:
    """Enregistre les sortes que `user` veut recevoir (les autres sont désabonnées) et, pour un employeur, le
    résumé quotidien des nouveaux profils."""
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    wanted = set(subscribed)
    preference.unsubscribed = [kind for kind in EmailKind.values if kind not in wanted]
    if daily_digest is not None:
        preference.daily_digest = daily_digest
    preference.save()
    return preference


def sms_stop_url(user_id: int) -> str:
    """Le lien d'arrêt de chaque SMS, court (chaque caractère compte dans le prix d'un SMS)."""
    return f"{settings.SITE_URL}/s/{_short_token(SMS_STOP_SALT, str(user_id))}"


def sms_stop_token_read(token: str) -> int | None:
    value = _short_token_read(SMS_STOP_SALT, token)
    return int(value) if value and value.isdigit() else None
