import datetime
import errno
import logging

from django.tasks import task
from django.utils import timezone

from partners import services

logger = logging.getLogger(__name__)

# Après un échec d'écriture (disque plein, stockage indisponible) : nouveaux essais, puis l'export du lendemain.
EXPORT_RETRY_DELAYS = [datetime.timedelta(minutes=minutes) for minutes in (5, 15, 60, 180)]


@task()
def export_offers(attempt: int = 1) -> int:
    """Export quotidien des offres publiées (JSON Lines) ; renvoie le nombre d'offres.

    Si l'écriture échoue, l'ancien export reste servi, un nouvel essai est mis en file et la tâche échoue
    (son erreur reste visible dans les résultats des tâches).
    """
    try:
        return services.offers_export()[1]
    except OSError as error:
        reason = errno.errorcode.get(error.errno, type(error).__name__)
        if attempt <= len(EXPORT_RETRY_DELAYS):
            delay = EXPORT_RETRY_DELAYS[attempt - 1]
            export_offers.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1)
            logger.error("Export des offres impossible (%s) : nouvel essai dans %s min", reason, delay.seconds // 60)
        else:
            logger.error("Export des offres impossible (%s) : abandon jusqu'à l'export de demain", reason)
        raise


@task()
def sync_lba_publication(publication_id: int) -> bool:
    return services.lba_sync(publication_id)


@task()
def sweep_lba_publications() -> int:
    return services.lba_sweep()
