"""Tâches de conservation : lancées chaque jour par le worker (settings.PERIODIC_TASKS)."""

import logging

from django.tasks import task
from django.utils import timezone

from privacy import selectors, services
from privacy.enums import AnonymisationReason

logger = logging.getLogger(__name__)


def retention_apply(now=None) -> dict:
    """Applique les durées de conservation de privacy/retention.py ; renvoie les nombres par action."""
    now = now or timezone.now()
    counts = dict.fromkeys(("prevenus", "inactifs", "contrats", "inscriptions", "liens", "emails", "sms", "taches"), 0)
    for user in selectors.users_to_warn(now):
        counts["prevenus"] += services.inactivity_warn(user=user)
    for user in selectors.users_to_anonymise_for_inactivity(now):
        services.account_anonymise(user=user, reason=AnonymisationReason.INACTIVE)
        counts["inactifs"] += 1
    for user in selectors.users_with_old_contract(now):
        services.account_anonymise(user=user, reason=AnonymisationReason.FOUND_CONTRACT)
        counts["contrats"] += 1
    for user in selectors.unfinished_signups(now):
        services.unfinished_signup_purge(user=user)
        counts["inscriptions"] += 1
    counts["liens"] = services.magic_links_purge(now=now)
    counts["emails"] = services.sent_emails_redact(now=now)
    counts["sms"] = services.sent_sms_redact(now=now)
    counts["taches"] = services.task_results_purge(now=now)
    logger.info("Conservation des données : %s", counts)
    return counts


@task()
def retention_run() -> dict:
    return retention_apply()
