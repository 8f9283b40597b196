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
