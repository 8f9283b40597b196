import pytest

from geo.distance import commune_index_clear


@pytest.fixture(autouse=True)
def _fresh_commune_index():
    """L'index des distances est propre au processus : chaque test repart de la base du test."""
    commune_index_clear()
    yield
    commune_index_clear()
