"""Une entreprise vérifiée (ou refusée) : ses offres en ligne sont de nouveau mises en relation (ou plus). Une
offre changée : les réponses gardées en cache qui la montrent sont périmées (`selectors.offers_version`)."""

from django.db import transaction
from django.dispatch import receiver

from employers.enums import CompanyEvent
from employers.signals import company_event
from offers.selectors import offers_version_bump
from offers.services import offers_rematch_for_company
from offers.signals import offer_changed


@receiver(company_event, dispatch_uid="offers-rematch-on-verification")
def rematch_on_verification(sender, *, action, company, **kwargs):
    if action in (CompanyEvent.COMPANY_VERIFIED, CompanyEvent.COMPANY_REJECTED):
        offers_rematch_for_company(company=company)


@receiver(offer_changed, dispatch_uid="offers-new-version-on-change")
def new_version_on_change(sender, **kwargs):
    transaction.on_commit(offers_version_bump)


@receiver(company_event, dispatch_uid="offers-new-version-on-verification")
def new_version_on_verification(sender, *, action, **kwargs):
    if action in (CompanyEvent.COMPANY_VERIFIED, CompanyEvent.COMPANY_REJECTED):
        transaction.on_commit(offers_version_bump)
