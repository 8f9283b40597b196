"""Une offre a changé : sa diffusion sur La bonne alternance suit (création, mise à jour, fermeture)."""

from django.dispatch import receiver

from offers.signals import offer_changed
from partners.services import lba_schedule
from partners.tasks import lba_sync_after_commit


@receiver(offer_changed, dispatch_uid="partners-lba-on-offer-change")
def publish_on_lba(sender, *, offer, **kwargs):
    publication = lba_schedule(offer=offer)
    if publication is not None:
        lba_sync_after_commit(publication.pk)
