"""Fabriques du back-office : CMA, conseiller·es avec territoires et second facteur confirmé.

`advisor_login(client, advisor)` connecte un·e conseiller·e avec le second facteur déjà vérifié dans la
session (réutilisable par les tests de sécurité) ; la fixture `advisor_client` en est la forme courte.
"""

import factory
import pyotp

from backoffice import crypto
from backoffice.models import AdvisorProfile, Cma
from backoffice.scope import SESSION_VERIFIED_KEY
from matching.models import Match
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import DepartementFactory, RegionFactory
from tests.offers.factories import OfferFactory


class CmaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cma
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"CMA n° {n}")
    region = factory.SubFactory(RegionFactory)


class AdvisorFactory(factory.django.DjangoModelFactory):
    """Un·e conseiller·e de la CMA Hauts-de-France, second facteur confirmé, territoire : le Pas-de-Calais.

    `AdvisorFactory(departements=["59"])` choisit les départements (codes ou objets),
    `AdvisorFactory(regions=["32"])` des régions entières ; `AdvisorFactory(admin=True)` : l'administrateur·rice
    nationale ; `AdvisorFactory(unconfirmed=True)` : second facteur pas encore activé."""

    class Meta:
        model = AdvisorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, advisor=True)
    cma = factory.SubFactory(CmaFactory, name="CMA Hauts-de-France")
    totp_secret = factory.LazyFunction(lambda: crypto.encrypt(pyotp.random_base32()))
    totp_confirmed = True

    class Params:
        admin = factory.Trait(user=factory.SubFactory(UserFactory, admin=True), cma=None)
        unconfirmed = factory.Trait(totp_confirmed=False, totp_secret="")

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [] if self.user.role == "administrateur" else ["62"]
        self.departements.set(
            [DepartementFactory(code=d) if isinstance(d, str) else d for d in extracted]  # codes ou objets
        )

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set([RegionFactory(code=r) if isinstance(r, str) else r for r in extracted])


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    candidate = factory.SubFactory(CandidateProfileFactory)
    offer = factory.SubFactory(OfferFactory)
    distance_km = 5
    score = 50


def advisor_login(client, advisor):
    """Connecte `advisor` avec le second facteur déjà vérifié dans cette session."""
    client.force_login(advisor.user)
    session = client.session
    session[SESSION_VERIFIED_KEY] = advisor.user.pk
    session.save()
    return client


def totp_now(advisor) -> str:
    return pyotp.TOTP(advisor.get_totp_secret()).now()
