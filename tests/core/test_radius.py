"""Le rayon (`radius_km`) : les rayons proposés et les limites de la recherche publique sont définis une fois,
dans `core.enums`, et tout le reste en dérive."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from candidates.models import CandidateProfile
from core.enums import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MIN_RADIUS_KM, RADIUS_BANDS, RADIUS_CHOICES, radius_band
from partners.forms import OfferSearchForm


def test_a_radius_falls_in_the_smallest_proposed_radius_that_covers_it():
    assert RADIUS_BANDS == (10, 20, 30, 50, 100)
    assert [radius_band(value) for value in (1, 10, 12, 30, 31, 100, 250)] == [10, 10, 20, 30, 50, 100, 100]


@pytest.mark.django_db
def test_the_candidate_profile_and_the_public_search_use_the_same_limits():
    field = CandidateProfile._meta.get_field("radius_km")
    assert list(field.choices) == RADIUS_CHOICES and field.default == DEFAULT_RADIUS_KM
    rayon = OfferSearchForm().fields["rayon"]
    assert (rayon.min_value, rayon.max_value, rayon.initial) == (MIN_RADIUS_KM, MAX_RADIUS_KM, DEFAULT_RADIUS_KM)
    assert max(RADIUS_BANDS) <= MAX_RADIUS_KM


def test_the_api_parameter_keeps_its_public_name_and_the_same_limits():
    schema = json.loads((Path(settings.BASE_DIR) / "docs/api/openapi.json").read_text())
    (rayon,) = [p for p in schema["paths"]["/api/v1/offres"]["get"]["parameters"] if p["name"] == "rayon"]
    assert rayon["schema"]["maximum"] == MAX_RADIUS_KM and rayon["schema"]["default"] == DEFAULT_RADIUS_KM
