import math
import random

import pytest

from geo.distance import (
    EARTH_RADIUS_KM,
    CommuneIndex,
    commune_index,
    commune_index_invalidate,
    communes_within,
    distance_km,
    haversine_km,
)
from tests.geo.factories import CommuneFactory

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # le long d'un méridien


def test_haversine_paris_lyon():
    paris, lyon = (48.8566, 2.3522), (45.7640, 4.8357)
    assert haversine_km(*paris, *lyon) == pytest.approx(392, abs=1)
    assert haversine_km(*paris, *lyon) == pytest.approx(haversine_km(*lyon, *paris), abs=1e-9)
    assert haversine_km(*paris, *paris) == 0


def test_haversine_along_a_meridian_and_across_the_antimeridian():
    assert haversine_km(45.0, 3.0, 46.0, 3.0) == pytest.approx(KM_PER_DEGREE, rel=1e-12)
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(KM_PER_DEGREE, rel=1e-9)
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-12)


def make_index(points):
    return CommuneIndex([(code, lat, lng) for code, (lat, lng) in points.items()])


POINTS = {
    "origin": (45.0, 3.0),
    "north_10": (45.0 + 10 / KM_PER_DEGREE, 3.0),
    "south_50": (45.0 - 50 / KM_PER_DEGREE, 3.0),
    "east_30": (45.0, 3.0 + 30 / (KM_PER_DEGREE * math.cos(math.radians(45.0)))),
    "far": (47.0, 6.0),
}


def test_within_sorted_by_distance():
    index = make_index(POINTS)
    results = index.within("origin", 60)

    assert [code for code, _ in results] == ["origin", "north_10", "east_30", "south_50"]
    assert results[0][1] == 0
    assert results[1][1] == pytest.approx(10, abs=1e-6)
    assert results[3][1] == pytest.approx(50, abs=1e-6)
    assert all(distance == index.distance_km("origin", code) for code, distance in results)


def test_within_boundaries_are_inclusive():
    index = make_index(POINTS)
    exact = index.distance_km("origin", "south_50")

    assert "south_50" in dict(index.within("origin", exact))
    assert "south_50" not in dict(index.within("origin", math.nextafter(exact, 0)))
    assert index.within("origin", 0) == [("origin", 0.0)]


def test_within_accepts_coordinates_and_communes():
    index = make_index(POINTS)
    assert index.within((45.0, 3.0), 15) == index.within("origin", 15)
    assert [code for code, _ in index.within((46.0, 4.0), 1)] == []


@pytest.mark.parametrize("origin", ["unknown", (None, None), (45.0, None), None, 42])
def test_within_unknown_origin(origin):
    index = make_index(POINTS)
    assert index.within(origin, 100) == []
    assert index.distance_km(origin, "origin") is None


@pytest.mark.parametrize("radius", [-1, math.nan])
def test_within_invalid_radius(radius):
    assert make_index(POINTS).within("origin", radius) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((45.2499, 3.2499), (45.2501, 3.2501)),  # de part et d'autre d'un coin de case
        ((0.0, 179.99), (0.0, -179.99)),  # antiméridien
        ((89.9, 0.0), (89.9, 180.0)),  # près du pôle
        ((-21.1151, 55.5364), (-21.0, 55.6)),  # La Réunion
    ],
)
def test_within_across_cells(a, b):
    index = make_index({"a": a, "b": b})
    distance = haversine_km(*a, *b)
    assert distance < 30
    assert index.within("a", 30) == [("a", 0.0), ("b", distance)]


def test_within_matches_brute_force():
    rng = random.Random(20241128)
    points = {f"{n:05d}": (rng.uniform(41.0, 51.5), rng.uniform(-5.5, 9.8)) for n in range(3000)}
    index = make_index(points)
    for _ in range(40):
        origin = rng.choice(list(points))
        radius = rng.choice([0.5, 10, 55.5, 100, 200, 750])
        expected = sorted(
            ((code, haversine_km(*points[origin], *location)) for code, location in points.items()),
            key=lambda item: item[1],
        )
        expected = [item for item in expected if item[1] <= radius]
        assert index.within(origin, radius) == expected


def test_within_very_large_radius():
    index = make_index(POINTS | {"antipode": (-45.0, -177.0)})
    results = index.within("origin", 25000)
    assert len(results) == 6
    assert results[-1] == ("antipode", pytest.approx(math.pi * EARTH_RADIUS_KM))
    assert index.within("origin", math.inf) == results


@pytest.mark.django_db
def test_shared_index_from_database():
    saint_omer = CommuneFactory(code="62765", lat=50.76728, lng=2.2648)
    arques = CommuneFactory(code="62040", lat=50.7364, lng=2.3036)
    CommuneFactory(code="62999", unlocated=True)

    assert [code for code, _ in communes_within("62765", 10)] == ["62765", "62040"]
    assert communes_within(saint_omer, 10) == communes_within("62765", 10)
    assert distance_km("62765", "62040") == pytest.approx(4.3, abs=0.1)
    assert distance_km(saint_omer, arques) == distance_km("62765", "62040")
    # Une commune sans coordonnées : aucun résultat, aucune exception.
    assert communes_within("62999", 100) == []
    assert distance_km("62765", "62999") is None
    assert "62999" not in commune_index()


@pytest.mark.django_db
def test_shared_index_is_cached_and_invalidated():
    CommuneFactory(code="62765")
    index = commune_index()
    assert commune_index() is index
    assert len(index) == 1

    CommuneFactory(code="62040")  # une commune enregistrée périme l'index
    assert len(commune_index()) == 2

    rebuilt = commune_index()
    commune_index_invalidate()
    assert commune_index() is not rebuilt


@pytest.mark.django_db
def test_zone_around_a_commune_is_kept_until_the_communes_change(monkeypatch):
    CommuneFactory(code="62765", lat=50.76728, lng=2.2648)
    CommuneFactory(code="62040", lat=50.7364, lng=2.3036)
    zone = communes_within("62765", 10)
    calls = []
    within = CommuneIndex.within
    monkeypatch.setattr(CommuneIndex, "within", lambda self, *args: calls.append(args) or within(self, *args))
    again = communes_within("62765", 10)
    assert again == zone and calls == []  # déjà calculée : rien n'est recalculé
    again.clear()  # la liste rendue appartient à l'appelant
    assert communes_within("62765", 10) == zone
    assert [code for code, _ in communes_within("62765", 1)] == ["62765"] and calls == [("62765", 1)]

    CommuneFactory(code="62041", lat=50.75, lng=2.27)  # une commune enregistrée : nouvel index, zones recalculées
    assert [code for code, _ in communes_within("62765", 10)] == ["62765", "62041", "62040"]


def test_distance_from_gives_exactly_distance_km():
    rng = random.Random(7)
    points = [(f"c{i}", 41 + rng.random() * 10, -5 + rng.random() * 13) for i in range(300)]
    points.append(("nowhere", None, None))
    index = CommuneIndex(points)
    for origin in ("c0", "c1", (48.85, 2.35)):
        distance = index.distance_from(origin)
        assert all(distance(code) == index.distance_km(code, origin) for code, _, _ in points[:-1])
        assert distance("nowhere") is None and distance("unknown") is None
    assert index.distance_from("nowhere")("c0") is None
