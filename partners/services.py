"""Écritures des partenaires : clés d'API et export quotidien des offres."""

import contextlib
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from offers.api import offer_payload, public_offers
from partners.models import ApiKey, key_hash

EXPORT_NAME = "offres.jsonl"


@transaction.atomic
def api_key_create(*, name: str) -> tuple[ApiKey, str]:
    """Crée une clé d'API ; renvoie la clé en clair, qui n'est gardée nulle part (à transmettre une fois)."""
    raw_key = "cmc_" + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(name=name, key_hash=key_hash(raw_key), prefix=raw_key[:8])
    return api_key, raw_key


def export_path() -> Path:
    return Path(settings.EXPORTS_DIR) / EXPORT_NAME


def export_temporary_path() -> Path:
    """Le fichier en cours d'écriture, à côté de l'export (un par processus)."""
    path = export_path()
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def offers_export() -> tuple[Path, int]:
    """Écrit les offres publiées en JSON Lines (une offre par ligne, les champs de l'API) ; renvoie (fichier, nombre).

    Le fichier est écrit à côté puis renommé : qui le télécharge pendant l'export reçoit l'ancien, entier.
    Si le disque est plein ou indisponible (OSError), le fichier partiel est effacé, l'ancien export reste
    servi et l'erreur remonte (la tâche réessaie plus tard).
    """
    path = export_path()
    temporary = export_temporary_path()
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as output:
            for offer in public_offers().order_by("pk").iterator(chunk_size=2000):
                output.write(json.dumps(offer_payload(offer), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                count += 1
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    return path, count
