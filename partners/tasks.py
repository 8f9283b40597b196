from django.tasks import task

from partners import services


@task()
def export_offers() -> int:
    """Export quotidien des offres publiées (JSON Lines) ; renvoie le nombre d'offres."""
    return services.offers_export()[1]
