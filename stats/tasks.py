from django.tasks import task

from stats import services
from stats.views import national_page_prepare


@task()
def refresh_stats() -> int:
    """Recalcule les agrégats de /stats et prépare la page nationale ; renvoie le nombre de lignes."""
    rows = services.stats_refresh().rows
    national_page_prepare()
    return rows
