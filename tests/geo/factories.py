"""Fabriques du référentiel géographique (réutilisables par les autres applications).

Par défaut : région Hauts-de-France (32), département Pas-de-Calais (62), commune localisée près de
Saint-Omer, 1 000 habitants, un code postal égal à son code INSEE. Par exemple :
`CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], lat=50.75, lng=2.25)`,
`CommuneFactory(unlocated=True)` (sans coordonnées), `CommuneFactory(postal_codes=[])` (sans code postal).
"""

import factory

from core.text import normalize_search
from geo.models import Commune, Departement, PostalCode, Region

DEPARTEMENT_NAMES = {
    "13": "Bouches-du-Rhône",
    "59": "Nord",
    "62": "Pas-de-Calais",
    "69": "Rhône",
    "75": "Paris",
    "80": "Somme",
}


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "32"
    name = factory.LazyAttribute(lambda o: "Hauts-de-France" if o.code == "32" else f"Région {o.code}")


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "62"
    name = factory.LazyAttribute(lambda o: DEPARTEMENT_NAMES.get(o.code, f"Département {o.code}"))
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    """Commune localisée et peuplée ; `postal_codes=[...]` choisit ses codes postaux."""

    class Meta:
        model = Commune
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    departement = factory.SubFactory(DepartementFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.departement.code[:2]}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    search_name = factory.LazyAttribute(lambda o: normalize_search(o.name))
    lat = 50.75
    lng = 2.25
    population = 1000

    class Params:
        unlocated = factory.Trait(lat=None, lng=None)

    @factory.post_generation
    def postal_codes(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [self.code if self.code.isdigit() else f"20{self.code[2:]}"]
        for code in extracted:
            PostalCode.objects.get_or_create(code=code, commune=self)


class PostalCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostalCode
        django_get_or_create = ("code", "commune")

    commune = factory.SubFactory(CommuneFactory, postal_codes=[])
    code = factory.Sequence(lambda n: f"{62000 + n % 1000:05d}")
