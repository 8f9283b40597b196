"""Les tâches des partenaires. Elles seules mettent en file les envois vers La bonne alternance (`partners.services`
écrit sans connaître la file)."""

import datetime
import errno
import functools
import logging

from django.db import transaction
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


def lba_sync_after_commit(publication_id: int) -> None:
    """Après la validation, une tâche envoie la diffusion `publication_id`."""
    transaction.on_commit(functools.partial(sync_lba_publication.enqueue, publication_id))


def lba_sync(publication_id: int, *, transport=None) -> bool:
    """Envoie la diffusion si elle est due (`services.lba_send`) ; True si envoyée. Si l'offre a encore changé
    pendant l'envoi, un nouvel envoi est mis en file."""
    sent, resend = services.lba_send(publication_id, transport=transport)
    if resend:
        lba_sync_after_commit(publication_id)
    return sent


def lba_sweep(*, limit: int = 200, transport=None) -> int:
    """Reprend les envois interrompus (worker tué) et envoie ce qui est dû ; renvoie le nombre d'envois."""
    return sum(lba_sync(pk, transport=transport) for pk in services.lba_due(limit=limit))


@task()
def sync_lba_publication(publication_id: int) -> bool:
    return lba_sync(publication_id)


@task()
def sweep_lba_publications() -> int:
    return lba_sweep()
