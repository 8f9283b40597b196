"""API publique : le flux des offres publiées (JSON) et l'export quotidien (JSON Lines), tous deux avec
`ETag` et `Last-Modified` : un partenaire qui interroge souvent reçoit 304 tant que rien n'a changé."""

import datetime
import hashlib

from django.db.models import Count, Max, Sum
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from core.storage import exports_storage
from offers.api import OfferOut
from offers.selectors import offer_payload, public_offers
from partners.services import EXPORT_NAME

router = Router(tags=["Offres"])

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
def offers_feed(request, response: HttpResponse):
    # Une seule requête d'agrégats décide : nombre, dernière modification et somme des identifiants (une offre
    # qui sort du flux ou y entre change au moins l'un des trois).
    state = public_offers().aggregate(count=Count("pk"), last=Max("updated_at"), ids=Sum("pk"))
    etag = '"' + hashlib.sha256(f"{state['count']}:{state['last']}:{state['ids']}".encode()).hexdigest()[:32] + '"'
    not_modified = _not_modified(request, etag=etag, last_modified=state["last"])
    if not_modified is not None:
        return Status(304, None)
    _validators(response, etag=etag, last_modified=state["last"])
    offers = public_offers().order_by("-published_at", "-pk")
    return Status(
        200,
        {
            "mise_a_jour": state["last"],
            "count": state["count"],
            "results": [offer_payload(offer) for offer in offers.iterator(chunk_size=2000)],
        },
    )


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
