"""L'adaptateur de l'API des SMS transactionnels de Brevo (opérateur français).

Envoi : `POST {SMS_API_URL}/transactionalSMS/sms`, en-tête `api-key`, corps JSON `sender`, `recipient` (numéro
international sans « + »), `content`, `type` (« transactional »), `tag` (notre clé : elle retrouve le SMS dans
les événements), `webUrl` (où Brevo poste les événements), `unicodeEnabled`. Réponse 201 : `messageId`,
`smsCount`, `usedCredits`, `remainingCredits`. Un 4xx dit que la demande elle-même est refusée (numéro
invalide…), un 5xx ou un délai dépassé est temporaire.

Événements postés sur `webUrl` : `msg_status` (« sent », « delivered », « soft_bounce », « hard_bounce »,
« reply »…), `messageId`, `to`, `tag` et, pour une réponse, `reply` (le texte reçu).
"""

from dataclasses import dataclass
from decimal import Decimal

import httpx
from django.conf import settings


class SmsTemporaryError(Exception):
    """L'opérateur ne répond pas ou répond 5xx : on réessaiera."""


class SmsRefused(Exception):
    """L'opérateur refuse ce SMS (4xx) : réessayer ne changerait rien."""

    def __init__(self, status: int, code: str = ""):
        super().__init__(f"HTTP {status} {code}".strip())
        self.status = status
        self.code = code


@dataclass(frozen=True)
class SmsReceipt:
    provider_id: str
    segments: int
    credits: Decimal


def default_transport():
    return None  # le vrai réseau ; les tests donnent l'adresse d'un faux serveur local (SMS_API_URL)


def send(*, to: str, body: str, tag: str, transport=None) -> SmsReceipt:
    """Envoie un SMS ; `to` au format international (+33…). Lève SmsRefused ou SmsTemporaryError."""
    if not settings.SMS_API_KEY:
        raise SmsTemporaryError("clé de l'API SMS absente")
    payload = {
        "sender": settings.SMS_SENDER,
        "recipient": to.lstrip("+"),
        "content": body,
        "type": "transactional",
        "tag": tag,
        "unicodeEnabled": not body.isascii(),
    }
    if settings.SMS_WEBHOOK_SECRET:
        payload["webUrl"] = f"{settings.SITE_URL}/sms/evenements/{settings.SMS_WEBHOOK_SECRET}"
    try:
        with httpx.Client(timeout=settings.SMS_API_TIMEOUT, transport=transport or default_transport()) as client:
            response = client.post(
                f"{settings.SMS_API_URL}/transactionalSMS/sms",
                json=payload,
                headers={"api-key": settings.SMS_API_KEY, "accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise SmsTemporaryError(type(exc).__name__) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise SmsTemporaryError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        try:
            code = str(response.json().get("code", ""))[:50]
        except ValueError:
            code = ""
        raise SmsRefused(response.status_code, code)
    try:
        data = response.json()
        return SmsReceipt(
            provider_id=str(data["messageId"]),
            segments=int(data.get("smsCount", 1)),
            credits=Decimal(str(data.get("usedCredits", data.get("smsCount", 1)))),
        )
    except (ValueError, KeyError, TypeError):
        # Accepté (2xx) mais illisible : le SMS est sans doute parti, on ne le renvoie pas.
        return SmsReceipt(provider_id="", segments=1, credits=Decimal(1))
