from django.tasks import task

from offers import services


@task()
def expire_due_offers() -> int:
    return services.offers_expire_due()


@task()
def send_expiry_reminders() -> int:
    return services.offers_send_expiry_reminders()
