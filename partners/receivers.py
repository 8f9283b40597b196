"""Une offre a changé : sa diffusion sur La bonne alternance suit (création, mise à jour, fermeture)."""

from django.dispatch import receiver

from offers.signals import offer_changed


@receiver(offer_changed, dispatch_uid="partners-lba-on-offer-change")
def publish_on_lba(sender, *, offer, **kwargs):
    from partners.services import lba_schedule

    lba_schedule(offer=offer)
