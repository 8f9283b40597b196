from django.conf import settings
from django.tasks import task

from notifications import services


@task()
def send_outbox_email(email_id: int) -> int:
    """Envoie l'e-mail `email_id` et, sur la même connexion, d'autres e-mails dus (un lot au plus)."""
    return services.outbox_deliver(first=email_id, limit=settings.OUTBOX_BATCH_SIZE)


@task()
def sweep_outbox() -> int:
    return services.outbox_sweep()
