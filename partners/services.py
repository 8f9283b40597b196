"""Écritures des partenaires : clés d'API et export quotidien des offres."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

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


def offers_export() -> tuple[Path, int]:
    """Écrit les offres publiées en JSON Lines (une offre par ligne, les champs de l'API) ; renvoie (fichier, nombre).

    Le fichier est écrit à côté puis renommé : qui le télécharge pendant l'export reçoit l'ancien, entier.
    """
    path = export_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{timezone.now():%Y%m%d%H%M%S}.tmp")
    count = 0
    with temporary.open("w", encoding="utf-8") as output:
        for offer in public_offers().order_by("pk").iterator(chunk_size=2000):
            output.write(json.dumps(offer_payload(offer), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
            count += 1
    temporary.replace(path)
    return path, count
