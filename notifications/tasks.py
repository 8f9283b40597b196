from django.conf import settings
from django.tasks import task

from notifications import delivery, sms_delivery


@task()
def send_outbox_emails(email_ids: list[int]) -> int:
    """Envoie les e-mails `email_ids` (écrits par une même transaction) et, sur la même connexion, d'autres
    e-mails dus, jusqu'à un lot (`OUTBOX_BATCH_SIZE`) en plus des siens."""
    return delivery.outbox_deliver(first=email_ids, limit=len(email_ids) + settings.OUTBOX_BATCH_SIZE)


@task()
def send_outbox_email(email_id: int) -> int:
    """Un seul e-mail (tâches mises en file avant les envois groupés)."""
    return send_outbox_emails.call([email_id])


@task()
def sweep_outbox() -> int:
    return delivery.outbox_sweep()


@task()
def send_outbox_sms(sms_id: int) -> bool:
    return sms_delivery.sms_send(sms_id)


@task()
def sweep_sms_outbox() -> int:
    return sms_delivery.sms_sweep()
