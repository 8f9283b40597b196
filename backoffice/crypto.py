"""Chiffrement des secrets TOTP en base, avec une clé gardée hors de la base (réglage TOTP_ENCRYPTION_KEY).

Fernet (AES-128-CBC + HMAC-SHA256, paquet `cryptography`). Le réglage peut porter plusieurs clés séparées par
des virgules : la première chiffre, toutes déchiffrent (rotation : ajouter la nouvelle clé en tête, puis
rechiffrer). Un secret TOTP en clair (base32, majuscules) ne commence jamais comme un jeton Fernet (« gAAAA »).
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

TOKEN_PREFIX = "gAAAA"  # noqa: S105 (début de tout jeton Fernet, pas un mot de passe)


class DecryptionError(Exception):
    """Le secret ne se déchiffre avec aucune des clés du réglage TOTP_ENCRYPTION_KEY."""


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.TOTP_ENCRYPTION_KEY.split(",") if key.strip()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("Secret TOTP illisible : vérifiez le réglage TOTP_ENCRYPTION_KEY.") from None
