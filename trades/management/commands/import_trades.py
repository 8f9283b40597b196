from django.core.management.base import BaseCommand

from trades import services


class Command(BaseCommand):
    help = "Importe le catalogue des métiers de l'artisanat (idempotent)."

    def handle(self, *args, **options):
        counts = services.catalogue_import()
        self.stdout.write(
            f"Métiers : {counts['created']} créés, {counts['updated']} mis à jour, "
            f"{counts['deactivated']} retirés du catalogue."
        )
