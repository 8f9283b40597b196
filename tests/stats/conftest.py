import pytest

from geo.distance import commune_index_clear


@pytest.fixture(autouse=True)
def _fresh_commune_index():
    commune_index_clear()
    yield
    commune_index_clear()
