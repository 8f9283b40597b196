import pytest

from geo.distance import commune_index_clear


def pytest_configure(config):
    config.addinivalue_line("markers", "geo_snapshot: importe l'instantané géographique réel (settings.GEO_DATA_DIR)")


@pytest.fixture(autouse=True)
def _fresh_commune_index():
    """Chaque test repart d'un index des distances vide (la base est vidée entre les tests)."""
    commune_index_clear()
    yield
    commune_index_clear()
