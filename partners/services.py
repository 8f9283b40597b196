"""Écritures des partenaires : clés d'API et export quotidien des offres."""

import json
import secrets
import tempfile

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core.storage import exports_storage
from offers.api import offer_payload, public_offers
from partners.models import ApiKey, key_hash

EXPORT_NAME = "offres.jsonl"


@transaction.atomic
def api_key_create(*, name: str) -> tuple[ApiKey, str]:
    """Crée une clé d'API ; renvoie la clé en clair, qui n'est gardée nulle part (à transmettre une fois)."""
    raw_key = "cmc_" + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(name=name, key_hash=key_hash(raw_key), prefix=raw_key[:8])
    return api_key, raw_key


def offers_export() -> tuple[str, int]:
    """Écrit les offres publiées en JSON Lines (une offre par ligne, les champs de l'API) dans le stockage des
    exports (S3 en production) ; renvoie (nom du fichier, nombre).

    Le fichier est d'abord écrit dans un fichier temporaire local, puis enregistré d'un bloc (le fichier
    précédent est remplacé) : qui le télécharge pendant l'export reçoit l'ancien, entier.
    """
    count = 0
    with tempfile.TemporaryFile(mode="w+b") as buffer:
        for offer in public_offers().order_by("pk").iterator(chunk_size=2000):
            line = json.dumps(offer_payload(offer), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"
            buffer.write(line.encode())
            count += 1
        buffer.seek(0)
        exports_storage().save(EXPORT_NAME, File(buffer, name=EXPORT_NAME))
    return EXPORT_NAME, count
