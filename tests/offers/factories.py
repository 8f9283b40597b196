"""Fabriques des entreprises et des offres (réutilisables par les autres applications)."""

import datetime

import factory
from django.utils import timezone

from core.enums import ContractType
from employers.enums import MembershipSource, MembershipStatus, StaffBand, VerificationSource, VerificationStatus
from employers.models import Company, Membership
from offers.enums import OfferStatus
from offers.models import Offer
from tests.accounts.factories import UserFactory
from tests.geo.factories import CommuneFactory
from trades.models import Trade


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade
        django_get_or_create = ("code",)

    """Boulanger par défaut (le même métier que la fabrique des candidat·es) ; `TradeFactory(code="coiffeur")`."""

    code = "boulanger"
    label = factory.LazyAttribute(lambda o: "Boulanger / Boulangère" if o.code == "boulanger" else o.code.capitalize())
    family = "alimentation"
    rome_codes = factory.LazyFunction(lambda: ["D1102"])


def _siret(n: int) -> str:
    """Un SIRET de 14 chiffres dont la clé de Luhn est juste."""
    from stdnum import luhn

    base = f"{(10000000 + n) % 10**13:013d}"
    return base + luhn.calc_check_digit(base)


class CompanyFactory(factory.django.DjangoModelFactory):
    """Une entreprise vérifiée avec un membre employeur approuvé (`company.members.first()`, ou `member=user`) ;
    `member=False` : sans membre ; trait `unverified` : à vérifier."""

    class Meta:
        model = Company
        skip_postgeneration_save = True

    siret = factory.Sequence(_siret)
    name = factory.Sequence(lambda n: f"Boulangerie n° {n}")
    commune = factory.SubFactory(CommuneFactory)
    naf_code = "10.71C"
    staff_band = StaffBand.FROM_0_TO_10
    craft_activity_code = "1071CZ"
    verification_status = VerificationStatus.VERIFIED
    verification_source = VerificationSource.DIRECTORY
    verified_at = factory.LazyFunction(timezone.now)

    class Params:
        unverified = factory.Trait(
            verification_status=VerificationStatus.TO_VERIFY,
            verification_source="",
            verified_at=None,
            craft_activity_code="",
            verification_reasons=factory.LazyFunction(lambda: ["hors_repertoire"]),
        )

    @factory.post_generation
    def member(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        MembershipFactory(company=self, user=extracted or UserFactory(employer=True, phone="0612345678"))


class MembershipFactory(factory.django.DjangoModelFactory):
    """Un rattachement approuvé ; trait `pending` : une demande en attente, `refused` : refusée."""

    class Meta:
        model = Membership

    company = factory.SubFactory(CompanyFactory, member=False)
    user = factory.SubFactory(UserFactory, employer=True, phone="0612345678")
    status = MembershipStatus.APPROVED
    source = MembershipSource.SIGNUP

    class Params:
        pending = factory.Trait(status=MembershipStatus.PENDING)
        refused = factory.Trait(status=MembershipStatus.REFUSED)


class OfferFactory(factory.django.DjangoModelFactory):
    """Une offre publiée (par défaut) ; traits `draft`, `expired`, `filled`, `archived`."""

    class Meta:
        model = Offer

    company = factory.SubFactory(CompanyFactory)
    trade = factory.SubFactory(TradeFactory)
    levels = factory.LazyFunction(lambda: ["3"])
    contract_types = factory.LazyFunction(lambda: [ContractType.APPRENTISSAGE.value])
    start_date = None
    positions = 1
    filled_positions = 0
    commune = factory.SelfAttribute("company.commune")
    description = "Nous cherchons un·e apprenti·e motivé·e."
    working_hours = "Du mardi au samedi"
    status = OfferStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda o: o.published_at + datetime.timedelta(days=60) if o.published_at else None
    )

    class Params:
        draft = factory.Trait(status=OfferStatus.DRAFT, published_at=None, expires_at=None)
        expired = factory.Trait(
            status=OfferStatus.EXPIRED,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=61)),
            expires_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
        )
        filled = factory.Trait(status=OfferStatus.FILLED, filled_positions=factory.SelfAttribute("positions"))
        archived = factory.Trait(status=OfferStatus.ARCHIVED)
