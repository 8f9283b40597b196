import httpx
import pytest
from django.core.cache import cache

from geo.distance import commune_index_clear


@pytest.fixture(autouse=True)
def _clean_cache():
    """Chaque test part d'un cache vide (limites de débit) et d'un index des communes à reconstruire."""
    cache.clear()
    commune_index_clear()
    yield
    cache.clear()
    commune_index_clear()


@pytest.fixture(autouse=True)
def _companies_directory_unreachable(monkeypatch):
    """Aucun test n'appelle la vraie API Recherche d'entreprises : sans `fake_companies_api`, elle est
    injoignable (l'inscription continue, l'entreprise est « à vérifier »)."""

    def unreachable(request):
        raise httpx.ConnectError("annuaire injoignable dans les tests", request=request)

    monkeypatch.setattr("employers.companies_api.default_transport", lambda: httpx.MockTransport(unreachable))
