"""Écritures des partenaires : clés d'API, export quotidien des offres, diffusion sur La bonne alternance."""

import datetime
import json
import logging
import secrets
import tempfile
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.storage import exports_storage
from offers.models import Offer
from offers.selectors import offer_payload, public_offers
from partners import lba
from partners.enums import LbaStatus
from partners.models import ApiKey, LbaPublication, Widget, key_hash

logger = logging.getLogger(__name__)

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


# --- La bonne alternance ------------------------------------------------------------------------------

LBA_MAX_ATTEMPTS = 10


def lba_retry_delay(attempts: int) -> datetime.timedelta:
    """1 min, 2 min, 4 min… plafonné à 6 h (`LBA_RETRY_SECONDS` règle le premier délai)."""
    return datetime.timedelta(seconds=min(settings.LBA_RETRY_SECONDS * 2 ** min(attempts - 1, 20), 6 * 3600))


def lba_wanted_open(offer: Offer) -> bool:
    """L'offre doit être en ligne chez La bonne alternance : publique ici et l'employeur d'accord."""
    return offer.is_matchable and offer.lba_consent


@transaction.atomic
def lba_schedule(*, offer: Offer) -> LbaPublication | None:
    """Note qu'une offre a changé ; renvoie sa diffusion, que le worker enverra (création, mise à jour ou
    fermeture) une fois l'envoi mis en file après le commit (`partners.tasks.lba_sync_after_commit`). None si la
    diffusion n'est pas réglée, ou si l'offre n'y a jamais été et ne doit pas y être."""
    if not lba.is_enabled():
        return None
    publication = LbaPublication.objects.select_for_update().filter(offer_id=offer.pk).first()
    if publication is None:
        if not lba_wanted_open(offer):
            return None
        publication = LbaPublication.objects.create(offer_id=offer.pk)
    else:
        fields = {"wanted_version": F("wanted_version") + 1, "attempts": 0, "next_attempt_at": timezone.now()}
        # Un envoi en cours n'est pas repris par un autre worker : il verra la nouvelle version en finissant.
        if publication.status != LbaStatus.SENDING:
            fields["status"] = LbaStatus.PENDING
        LbaPublication.objects.filter(pk=publication.pk).update(**fields)
    return publication


def lba_send(publication_id: int, *, transport=None) -> tuple[bool, bool]:
    """Envoie l'état du moment d'une offre à La bonne alternance si sa diffusion est due ; renvoie (envoyé,
    nouvel envoi dû : l'offre a encore changé pendant l'envoi). Ne met rien en file (`partners.tasks.lba_sync`).

    Une seule création (POST) par offre : la ligne est réclamée (`SENDING`) avant l'envoi, et l'identifiant
    rendu est gardé ; les envois suivants remplacent l'offre (PUT). Un échec temporaire (réseau, 5xx, 429) est
    réessayé plus tard ; un refus (4xx) arrête la diffusion, l'erreur est gardée pour les conseiller·es.
    """
    now = timezone.now()
    claimed = (
        LbaPublication.objects.due(now)
        .filter(pk=publication_id)
        .update(status=LbaStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False, False
    publication = LbaPublication.objects.select_related("offer__company", "offer__commune", "offer__trade").get(
        pk=publication_id
    )
    version, offer = publication.wanted_version, publication.offer
    is_open = lba_wanted_open(offer)
    if not publication.lba_id and not is_open:  # jamais créée là-bas : rien à fermer
        return False, _lba_done(publication, version=version, lba_id="", is_open=False)
    try:
        lba_id = lba.send(lba.job_offer(offer, is_open=is_open), lba_id=publication.lba_id, transport=transport)
    except lba.LbaError as error:
        failed = error.permanent or publication.attempts >= LBA_MAX_ATTEMPTS
        LbaPublication.objects.filter(pk=publication_id).update(
            status=LbaStatus.FAILED if failed else LbaStatus.PENDING,
            next_attempt_at=now + lba_retry_delay(publication.attempts),
            last_error=str(error)[:300],
        )
        logger.warning("Diffusion de l'offre %s sur La bonne alternance échouée : %s", offer.pk, error)
        return False, False
    return True, _lba_done(publication, version=version, lba_id=lba_id, is_open=is_open)


def _lba_done(publication: LbaPublication, *, version: int, lba_id: str, is_open: bool) -> bool:
    """Note la version envoyée ; renvoie True si l'offre a encore changé pendant l'envoi (un nouvel envoi est dû)."""
    done = {
        "sent_version": version,
        "lba_id": lba_id,
        "is_open": is_open,
        "last_error": "",
        "synced_at": timezone.now(),
    }
    current = LbaPublication.objects.filter(pk=publication.pk, wanted_version=version).update(
        status=LbaStatus.SYNCED, **done
    )
    if not current:
        LbaPublication.objects.filter(pk=publication.pk).update(
            status=LbaStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), **done
        )
    return not current


def lba_due(*, limit: int) -> list[int]:
    """Reprend les envois interrompus (worker tué) ; renvoie les diffusions dues, les plus anciennes d'abord."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LBA_STALE_CLAIM_SECONDS)
    LbaPublication.objects.filter(status=LbaStatus.SENDING, claimed_at__lt=stale).update(status=LbaStatus.PENDING)
    return list(LbaPublication.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


# --- Module de recherche intégré (widget) ---------------------------------------------------------------


class WidgetError(ValueError):
    """Réglage refusé ; le message, en français, s'affiche tel quel."""


def normalize_origin(value: str) -> str:
    """« https://www.cma.fr/page » -> « https://www.cma.fr » ; refuse ce qui n'est pas une origine http(s)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise WidgetError(f"« {value} » n'est pas l'adresse d'un site (par exemple https://www.cma-hautsdefrance.fr).")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


@transaction.atomic
def widget_create(*, name: str, slug: str, origins: list[str]) -> Widget:
    """Crée le module de recherche d'un partenaire, affichable seulement sur ses sites (`origins`)."""
    allowed = sorted({normalize_origin(origin) for origin in origins})
    if not allowed:
        raise WidgetError("Indiquez au moins un site autorisé à afficher le module.")
    if Widget.objects.filter(slug=slug).exists():
        raise WidgetError(f"L'adresse « {slug} » est déjà prise.")
    return Widget.objects.create(name=name, slug=slug, allowed_origins=allowed)
