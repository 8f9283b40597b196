"""Une entreprise vérifiée (ou refusée) : ses offres en ligne sont de nouveau mises en relation (ou plus)."""

from django.dispatch import receiver

from employers.enums import CompanyEvent
from employers.signals import company_event
from offers.services import offers_rematch_for_company


@receiver(company_event, dispatch_uid="offers-rematch-on-verification")
def rematch_on_verification(sender, *, action, company, **kwargs):
    if action in (CompanyEvent.COMPANY_VERIFIED, CompanyEvent.COMPANY_REJECTED):
        offers_rematch_for_company(company=company)
