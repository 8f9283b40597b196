"""Tâches de fond de la mise en relation, et leur mise en file après le commit."""

import functools

from django.db import transaction
from django.tasks import task

from matching import alerts, rematch, services


@task()
def rematch_offer(offer_id: int) -> dict:
    return rematch.rematch_offer(offer_id)


@task()
def rematch_candidate(candidate_id: int) -> dict:
    return rematch.rematch_candidate(candidate_id)


@task()
def remind_and_expire() -> dict:
    return services.matches_remind_and_expire()


@task()
def daily_digests() -> int:
    return alerts.send_daily_digests()


@task()
def rematch_daily() -> dict:
    return rematch.rematch_daily()


@task()
def nudge_stalled() -> int:
    return alerts.matches_nudge_stalled()


def schedule_rematch_for_offer(offer) -> None:
    """Recalcule les paires de l'offre en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(rematch_offer.enqueue, offer.pk))


def schedule_rematch_for_candidate(candidate_profile) -> None:
    """Recalcule les paires du profil en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(rematch_candidate.enqueue, candidate_profile.pk))
