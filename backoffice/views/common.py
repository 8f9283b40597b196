"""Ce que partagent les vues du back-office : la pagination des listes."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, objects, per_page=PAGE_SIZE):
    """La page demandée par `?page=` (la première si le numéro n'est pas valide, la dernière s'il est trop
    grand)."""
    return Paginator(objects, per_page).get_page(request.GET.get("page"))


def query_without(request, *keys):
    """Les paramètres de la requête, sans `keys` (pour construire les liens de pagination et de tri)."""
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query
