import datetime

import factory
from django.utils import timezone

from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from core.enums import ContractType, DiplomaLevel
from tests.accounts.factories import UserFactory
from trades.models import Trade

try:  # la fabrique du géographe
    from tests.geo.factories import CommuneFactory
except ImportError:  # pragma: no cover - repli tant que tests/geo/factories.py n'existe pas
    from tests.offers.factories import CommuneFactory


class TradeFactory(factory.django.DjangoModelFactory):
    """Un métier du catalogue (réutilisé s'il existe déjà avec ce code)."""

    class Meta:
        model = Trade
        django_get_or_create = ("code",)

    code = "boulanger"
    label = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())
    family = "alimentation"
    rome_codes = factory.LazyFunction(lambda: ["D1102"])


def _years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


class CandidateProfileFactory(factory.django.DjangoModelFactory):
    """Profil complet, en recherche, avec une commune et un métier (boulanger par défaut).

    `CandidateProfileFactory(trades=[trade1, trade2])` remplace les métiers ; trait `incomplete` :
    profil juste créé à l'inscription (écran 1).
    """

    class Meta:
        model = CandidateProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, candidate=True)
    birth_date = factory.LazyFunction(lambda: _years_ago(18))
    commune = factory.SubFactory(CommuneFactory)
    radius_km = 30
    level = DiplomaLevel.LEVEL_3
    contract_types = factory.LazyFunction(lambda: [ContractType.APPRENTISSAGE.value])
    available_from = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    status = SearchStatus.SEARCHING
    is_complete = True

    class Params:
        incomplete = factory.Trait(
            is_complete=False, commune=None, level="", contract_types=factory.LazyFunction(list), available_from=None
        )

    @factory.post_generation
    def trades(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            self.trades.set(extracted)
        elif self.is_complete:
            self.trades.set([TradeFactory()])
