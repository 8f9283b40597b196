"""API publique : le flux des offres publiées (JSON) et l'export quotidien (JSON Lines), tous deux avec
`ETag` et `Last-Modified` : un partenaire qui interroge souvent reçoit 304 tant que rien n'a changé."""

import datetime
import hashlib
import re
import uuid

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer

from core.cache import shared_value
from core.storage import exports_storage
from offers.api import OfferOut
from offers.selectors import offer_payload, offers_version, public_offers
from partners.services import EXPORT_NAME

router = Router(tags=["Offres"])

# Le flux et ses validateurs sont gardés en cache sous la version des offres (`offers_version`) : une requête
# répétée ne lit aucune offre. La durée borne ce qui change sans passer par une offre (nom d'une entreprise,
# libellé d'un métier). Un seul processus le recalcule à la fois, les autres servent le précédent pendant ce
# temps (`core.cache.shared_value`). Le corps fait quelques Mo pour 30 000 offres : gardé aussi compressé,
# envoyé tel quel au client qui accepte gzip (dix fois moins d'octets à transmettre). Chaque processus garde
# aussi le dernier corps lu : relire quelques Mo de Redis coûte 10 ms de CPU par requête.
FEED_CACHE_SECONDS = 15 * 60
FEED_KEY = "api:flux"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_PROCESS_COPY: dict[str, tuple[str, dict[str, bytes]]] = {}

CONDITIONAL_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "L'`ETag` d'une réponse précédente : 304 sans corps si rien n'a changé.",
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Le `Last-Modified` d'une réponse précédente (date HTTP) : 304 si rien n'a changé depuis.",
    },
]
VALIDATOR_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Version du contenu, à renvoyer dans If-None-Match."},
    "Last-Modified": {"schema": {"type": "string"}, "description": "Date HTTP de la dernière modification."},
}
NOT_MODIFIED = {
    304: {"description": "Rien n'a changé depuis la version indiquée (aucun corps).", "headers": VALIDATOR_HEADERS}
}

JSONL_RESPONSE = {
    200: {
        "description": "Une offre publiée par ligne, avec les champs de /offres (sans `distance_km`).",
        "content": {"application/jsonl": {"schema": {"type": "string"}}},
        "headers": VALIDATOR_HEADERS,
    },
    **NOT_MODIFIED,
}


class OfferFeedOut(Schema):
    mise_a_jour: datetime.datetime | None = Field(description="Dernière modification d'une offre du flux.")
    count: int = Field(description="Nombre d'offres publiées.")
    results: list[OfferOut] = Field(description="Toutes les offres publiées, les plus récentes d'abord.")


def _not_modified(request, *, etag: str, last_modified: datetime.datetime | None):
    """La réponse 304 si la version du client est à jour (If-None-Match prime sur If-Modified-Since), sinon None."""
    timestamp = int(last_modified.timestamp()) if last_modified else None  # les dates HTTP sont à la seconde
    return get_conditional_response(request, etag=etag, last_modified=timestamp)


def _validators(response, *, etag: str, last_modified: datetime.datetime | None) -> None:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=60"


@router.get(
    "/flux/offres.json",
    response={200: OfferFeedOut, 304: None},
    summary="Flux des offres publiées",
    description="Toutes les offres publiées, en JSON, les plus récentes d'abord (mêmes champs que /offres). "
    "Pour interroger souvent sans coût : renvoyer `ETag` dans `If-None-Match` (ou `Last-Modified` dans "
    "`If-Modified-Since`) ; la réponse est 304, sans corps, tant qu'aucune offre n'a changé.",
    openapi_extra={
        "parameters": CONDITIONAL_HEADERS,
        "responses": {200: {"headers": VALIDATOR_HEADERS}, **NOT_MODIFIED},
    },
)
def offers_feed(request):
    etag, last_modified, build = _feed_validators(request)
    if _not_modified(request, etag=etag, last_modified=last_modified) is not None:
        return Status(304, None)
    encoding = "gzip" if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")) else "json"
    content = _feed_body(build, encoding)
    if content is None:  # le corps a quitté le cache avant ses validateurs (Redis plein) : on recalcule
        cache.delete(FEED_KEY)
        etag, last_modified, build = _feed_validators(request)
        content = _feed_body(build, encoding)
    response = HttpResponse(content, content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}")
    if encoding == "gzip":
        # Comme GZipMiddleware : l'ETag d'un corps compressé est faible (même contenu, autres octets).
        response["Content-Encoding"] = "gzip"
        etag = "W/" + etag
    patch_vary_headers(response, ["Accept-Encoding"])
    _validators(response, etag=etag, last_modified=last_modified)
    return response


def _feed_validators(request) -> tuple[str, datetime.datetime | None, str]:
    """Les validateurs du flux (ETag, dernière modification, identifiant du calcul), gardés seuls : une réponse
    304 ne relit pas le corps."""
    return shared_value(FEED_KEY, offers_version(), lambda: _feed_build(request), FEED_CACHE_SECONDS)


def _feed_build(request) -> tuple[str, datetime.datetime | None, str]:
    """Calcule le flux : ses validateurs, et son corps JSON, tel quel et compressé, sous l'identifiant du calcul
    (gardé un peu plus longtemps que les validateurs qui le désignent)."""
    # Une seule requête d'agrégats décide : nombre, dernière modification et somme des identifiants (une offre
    # qui sort du flux ou y entre change au moins l'un des trois).
    state = public_offers().aggregate(count=Count("pk"), last=Max("updated_at"), ids=Sum("pk"))
    etag = '"' + hashlib.sha256(f"{state['count']}:{state['last']}:{state['ids']}".encode()).hexdigest()[:32] + '"'
    offers = public_offers().order_by("-published_at", "-pk")
    # Les champs d'`offer_payload` sont ceux d'`OfferFeedOut`, dans le même ordre : encodés sans passer par le
    # schéma, qui enveloppe chaque offre et coûtait le tiers du calcul (0,3 s pour 7 500 offres), même corps.
    feed = {
        "mise_a_jour": state["last"],
        "count": state["count"],
        "results": [offer_payload(offer) for offer in offers.iterator(chunk_size=2000)],
    }
    content = JSONRenderer().render(request, feed, response_status=200).encode()
    build = uuid.uuid4().hex
    bodies = {"json": content, "gzip": compress_string(content)}
    _PROCESS_COPY["flux"] = (build, bodies)
    entries = {f"api:flux:corps:{build}:{name}": body for name, body in bodies.items()}
    cache.set_many(entries, 2 * FEED_CACHE_SECONDS + 60)
    return etag, state["last"], build


def _feed_body(build: str, encoding: str) -> bytes | None:
    """Le corps du calcul `build` : la copie du processus, sinon celle du cache partagé (gardée ensuite dans le
    processus, à la place de celle d'un calcul précédent)."""
    copy_build, bodies = _PROCESS_COPY.get("flux", ("", {}))
    if copy_build != build:
        bodies = {}
        _PROCESS_COPY["flux"] = (build, bodies)
    if encoding not in bodies:
        content = cache.get(f"api:flux:corps:{build}:{encoding}")
        if content is None:
            return None
        bodies[encoding] = content
    return bodies[encoding]


@router.get(
    "/exports/offres.jsonl",
    summary="Export quotidien des offres publiées",
    description="Toutes les offres publiées, une par ligne (JSON Lines), recalculé chaque jour. `ETag` et "
    "`Last-Modified` : 304 sans corps tant que l'export n'a pas changé.",
    openapi_extra={"parameters": CONDITIONAL_HEADERS, "responses": JSONL_RESPONSE},
)
def offers_export_download(request):
    storage = exports_storage()
    if not storage.exists(EXPORT_NAME):
        raise HttpError(404, "L'export n'a pas encore été produit. Réessayez demain.")
    modified = storage.get_modified_time(EXPORT_NAME).replace(microsecond=0)
    etag = '"' + hashlib.sha256(f"{modified.isoformat()}:{storage.size(EXPORT_NAME)}".encode()).hexdigest()[:32] + '"'
    not_modified = _not_modified(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        _validators(not_modified, etag=etag, last_modified=modified)
        return not_modified
    response = FileResponse(storage.open(EXPORT_NAME, "rb"), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="offres.jsonl"'
    _validators(response, etag=etag, last_modified=modified)
    return response
