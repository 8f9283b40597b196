import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geo.importers import GeoImportError, import_geo_from_api, import_geo_from_csv
from geo.models import Commune


class Command(BaseCommand):
    help = "Importe régions, départements, communes et codes postaux (instantané CSV ou geo.api.gouv.fr)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", choices=["csv", "api"], default="csv", help="csv (par défaut) ou api (geo.api.gouv.fr)"
        )
        parser.add_argument(
            "--dir", dest="directory", help=f"Dossier de l'instantané CSV (par défaut {settings.GEO_DATA_DIR})"
        )
        parser.add_argument("--api-url", help=f"Adresse de l'API (par défaut {settings.GEO_API_URL})")
        parser.add_argument("--if-empty", action="store_true", help="Ne fait rien si des communes existent déjà.")

    def handle(self, *args, source, directory, api_url, if_empty, **options):
        if if_empty and Commune.objects.exists():
            self.stdout.write("Communes déjà importées.")
            return
        start = time.monotonic()
        try:
            if source == "api":
                self.stdout.write(f"Import depuis {api_url or settings.GEO_API_URL}…")
                import_geo_from_api(base_url=api_url, progress=self.stdout.write)
            else:
                self.stdout.write(f"Import depuis {directory or settings.GEO_DATA_DIR}…")
                import_geo_from_csv(directory, progress=self.stdout.write)
        except GeoImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Import terminé en {time.monotonic() - start:.1f} s."))
