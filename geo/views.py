import hashlib

from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.text import normalize_search
from geo import selectors
from geo.distance import communes_version

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
SEARCH_CACHE_SECONDS = 60 * 60


def _commune_json(commune) -> dict:
    return {
        "code": commune.code,
        "name": commune.name,
        "postal_codes": commune.postal_code_list,
        "departement": commune.departement_id,
        "departement_name": commune.departement.name,
        "label": commune.label,
    }


def _limit(value) -> int:
    try:
        return min(max(int(value), 1), MAX_LIMIT)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT


@require_GET
def commune_search(request):
    """Autocomplétion des communes : JSON `{"results": [...]}`, avec un `message` quand il n'y a rien."""
    q = " ".join(request.GET.get("q", "").split())[: selectors.MAX_QUERY_LENGTH]
    if len(normalize_search(q)) < selectors.MIN_QUERY_LENGTH:
        message = "Saisissez au moins 2 caractères du nom ou du code postal de la commune."
        return JsonResponse({"results": [], "message": message})
    limit = _limit(request.GET.get("limit"))
    # Une frappe sur deux répète une recherche déjà faite : la réponse est gardée jusqu'au changement d'une commune.
    digest = hashlib.sha256(q.encode()).hexdigest()[:32]
    key = f"geo:commune_search:{communes_version()}:{limit}:{digest}"
    return JsonResponse(cache.get_or_set(key, lambda: _search_payload(q, limit), SEARCH_CACHE_SECONDS))


def _search_payload(q: str, limit: int) -> dict:
    communes = selectors.commune_search(q, limit=limit)
    if not communes:
        message = f"Aucune commune ne correspond à « {q} ». Vérifiez l'orthographe ou essayez le code postal."
        return {"results": [], "message": message}
    return {"results": [_commune_json(commune) for commune in communes]}
