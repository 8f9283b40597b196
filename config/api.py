"""L'API publique v1 : chaque application déclare son routeur dans `<app>/api.py`.

Toutes les erreurs sortent au même format, en français, avec le paramètre en cause :
`{"erreurs": [{"parametre": "rayon", "message": "…"}]}` (400 entrée refusée, 404, 429 trop de requêtes).
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError

from core.enums import MAX_RADIUS_KM
from geo.api import router as geo_router
from offers.api import reference_router as offers_reference_router
from offers.api import router as offers_router
from partners.api import router as partners_router
from partners.throttling import ApiRateThrottle
from stats.api import router as stats_router
from trades.api import router as trades_router

PARAMETER_MESSAGES = {
    "commune": "Commune inconnue : donnez un code INSEE (ex. 75056) ou un code postal (ex. 62000).",
    "rayon": f"Le rayon doit être un nombre de kilomètres, plus grand que 0 et au plus égal à {MAX_RADIUS_KM}.",
    "metier": "Métier inconnu : donnez un code du catalogue (voir /api/v1/metiers) ou un code ROME.",
    "niveau": "Niveau inconnu : les valeurs possibles sont 3, 4, 5, 6 et 7 (voir /api/v1/niveaux).",
    "type_contrat": "Type de contrat inconnu : apprentissage ou professionnalisation (voir /api/v1/types-contrat).",
    "page": "Le numéro de page doit être un nombre entier, à partir de 1.",
    "par_page": "Le nombre d'offres par page doit être un nombre entier entre 1 et 100.",
    "q": "Le paramètre q est obligatoire : le début d'un nom de commune, un code postal ou un code INSEE "
    "(100 caractères au plus).",
    "region": "Région inconnue : donnez un code INSEE de région (ex. 32).",
    "departement": "Département inconnu : donnez un code INSEE de département (ex. 62).",
    "famille": "Famille de métiers inconnue (voir /api/v1/metiers).",
}
TOO_MANY_REQUESTS = (
    "Trop de requêtes : réessayez dans {seconds} secondes. Pour un usage régulier, demandez une clé d'API "
    "(en-tête X-Api-Key)."
)


class PublicApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Le schéma de ninja, plus les réponses d'erreur communes à tous les points d'accès."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Erreurs"] = ERRORS_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreurs"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if operation.get("parameters"):
                    responses.setdefault(400, {"description": "Paramètre refusé (le message le nomme).", **error})
                if "export" in operation.get("operationId", ""):
                    responses.setdefault(404, {"description": "Pas encore d'export.", **error})
                responses.setdefault(
                    429,
                    {
                        "description": "Trop de requêtes : attendre le nombre de secondes de l'en-tête Retry-After.",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Secondes."}},
                        **error,
                    },
                )
        return schema


ERRORS_SCHEMA = {
    "title": "Erreurs",
    "type": "object",
    "required": ["erreurs"],
    "properties": {
        "erreurs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["parametre", "message"],
                "properties": {
                    "parametre": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "Le paramètre."},
                    "message": {"type": "string", "description": "L'explication, en français."},
                },
            },
        }
    },
}

api = PublicApi(
    title="API C'est ma chance",
    version="1.0.0",
    description="Offres d'alternance dans l'artisanat, données de référence et statistiques publiques. "
    "Sans clé : 60 requêtes par minute et par adresse IP. Partenaires : une clé d'API (en-tête `X-Api-Key` "
    "ou `Authorization: Bearer`) relève la limite à 1 000 requêtes par minute. Aucune donnée personnelle.",
    urls_namespace="api",
    throttle=[ApiRateThrottle()],
    # La documentation est une page du site (`partners.views.api_docs`), en français, accessible.
    docs_url=None,
)
api.add_router("/", offers_router)
api.add_router("/", partners_router)
api.add_router("/", trades_router)
api.add_router("/", offers_reference_router)
api.add_router("/", geo_router)
api.add_router("/", stats_router)


def errors(request, items, *, status):
    return api.create_response(request, {"erreurs": items}, status=status)


def _parameter(loc) -> str | None:
    names = [part for part in loc if isinstance(part, str) and part not in {"query", "path", "body", "filters"}]
    return names[0] if names else None


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    items = []
    for error in exc.errors:
        parameter = _parameter(error.get("loc", ()))
        if error.get("type") == "cmc_invalid":
            message = error["msg"]
        else:
            message = PARAMETER_MESSAGES.get(parameter, f"Valeur refusée pour le paramètre « {parameter} ».")
        if {"parametre": parameter, "message": message} not in items:
            items.append({"parametre": parameter, "message": message})
    return errors(request, items, status=400)


@api.exception_handler(Throttled)
def throttled(request, exc):
    seconds = int(exc.wait or 60)
    return errors(request, [{"parametre": None, "message": TOO_MANY_REQUESTS.format(seconds=seconds)}], status=429)


@api.exception_handler(Http404)
def not_found(request, exc):
    return errors(request, [{"parametre": None, "message": "Introuvable."}], status=404)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return errors(request, [{"parametre": None, "message": exc.message}], status=exc.status_code)
