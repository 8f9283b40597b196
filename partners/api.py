"""API publique : l'export quotidien des offres publiées."""

from django.http import FileResponse
from ninja import Router
from ninja.errors import HttpError

from core.storage import exports_storage
from partners.services import EXPORT_NAME

router = Router(tags=["Offres"])

JSONL_RESPONSE = {
    200: {
        "description": "Une offre publiée par ligne, avec les champs de /offres (sans `distance_km`).",
        "content": {"application/jsonl": {"schema": {"type": "string"}}},
    },
}


@router.get(
    "/exports/offres.jsonl",
    summary="Export quotidien des offres publiées",
    description="Toutes les offres publiées, une par ligne (JSON Lines), recalculé chaque jour.",
    openapi_extra={"responses": JSONL_RESPONSE},
)
def offers_export_download(request):
    storage = exports_storage()
    if not storage.exists(EXPORT_NAME):
        raise HttpError(404, "L'export n'a pas encore été produit. Réessayez demain.")
    response = FileResponse(storage.open(EXPORT_NAME, "rb"), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="offres.jsonl"'
    return response
