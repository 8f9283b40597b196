from django.tasks import task

from stats import services


@task()
def refresh_stats() -> int:
    """Recalcule les agrégats de /stats ; renvoie le nombre de lignes."""
    return services.stats_refresh().rows
