from django.tasks import task

from matching import services


@task()
def rematch_offer(offer_id: int) -> dict:
    return services.rematch_offer(offer_id)


@task()
def rematch_candidate(candidate_id: int) -> dict:
    return services.rematch_candidate(candidate_id)


@task()
def remind_and_expire() -> dict:
    return services.matches_remind_and_expire()


@task()
def daily_digests() -> int:
    return services.send_daily_digests()


@task()
def rematch_daily() -> dict:
    return services.rematch_daily()


@task()
def nudge_stalled() -> int:
    return services.matches_nudge_stalled()
