from django.core.management.base import BaseCommand

from stats.services import stats_refresh
from stats.views import national_page_prepare


class Command(BaseCommand):
    help = "Recalcule les agrégats des statistiques publiques (/stats, données ouvertes, API)."

    def handle(self, *args, **options):
        refresh = stats_refresh()
        national_page_prepare()
        self.stdout.write(f"Statistiques recalculées : {refresh.rows} agrégats.")
