from django.tasks import task

from notifications import services


@task()
def send_outbox_email(email_id: int) -> bool:
    return services.outbox_send(email_id)


@task()
def sweep_outbox() -> int:
    return services.outbox_sweep()


@task()
def send_outbox_sms(sms_id: int) -> bool:
    return services.sms_send(sms_id)


@task()
def sweep_sms_outbox() -> int:
    return services.sms_sweep()
