from pathlib import Path

import pytest
from django.conf import settings

from geo.distance import communes_within, distance_km
from geo.importers import import_geo_from_csv
from geo.models import Commune, PostalCode
from geo.selectors import commune_search


@pytest.mark.geo_snapshot
@pytest.mark.django_db(transaction=False)
def test_full_snapshot_import_and_lookups():
    """Import de tout l'instantané réel (settings.GEO_DATA_DIR), puis les recherches de référence."""
    if not Path(settings.GEO_DATA_DIR, "communes.csv").is_file():
        pytest.skip(f"Instantané géographique absent : {settings.GEO_DATA_DIR} (réglage GEO_DATA_DIR)")

    import_geo_from_csv(progress=lambda line: None)

    assert Commune.objects.count() > 34000
    assert PostalCode.objects.count() > 35000
    for q in ["st omer", "Saint-Omer", "saint omer", "62500"]:
        assert commune_search(q)[0].code == "62765", q
    assert commune_search("amiens")[0].code == "80021"
    assert commune_search("62500")[0].label == "Saint-Omer (62500)"
    assert distance_km("62765", "80021") == pytest.approx(96.6, abs=0.5)
    assert ("62765", 0.0) in communes_within("62765", 10)
