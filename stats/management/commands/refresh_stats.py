from django.core.management.base import BaseCommand

from stats.services import stats_refresh


class Command(BaseCommand):
    help = "Recalcule les agrégats des statistiques publiques (/stats, données ouvertes, API)."

    def handle(self, *args, **options):
        refresh = stats_refresh()
        self.stdout.write(f"Statistiques recalculées : {refresh.rows} agrégats.")
