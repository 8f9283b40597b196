from django.core.management.base import BaseCommand

from partners.services import offers_export


class Command(BaseCommand):
    help = (
        "Écrit l'export JSON Lines des offres publiées dans le stockage des exports (EXPORTS_DIR ou S3), "
        "servi à /api/v1/exports/offres.jsonl."
    )

    def handle(self, *args, **options):
        name, count = offers_export()
        self.stdout.write(f"{count} offres exportées dans {name}.")
