from django.core.management.base import BaseCommand

from partners.services import offers_export


class Command(BaseCommand):
    help = "Écrit l'export JSON Lines des offres publiées dans EXPORTS_DIR (servi à /api/v1/exports/offres.jsonl)."

    def handle(self, *args, **options):
        path, count = offers_export()
        self.stdout.write(f"{count} offres exportées dans {path}.")
