from django.core.management.base import BaseCommand

from partners.openapi import COMMITTED_PATH, openapi_document


class Command(BaseCommand):
    help = "Écrit le document OpenAPI de l'API publique dans docs/api/openapi.json (à versionner)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Échoue si le fichier versionné n'est pas à jour.")

    def handle(self, *args, check=False, **options):
        document = openapi_document()
        if check:
            if not COMMITTED_PATH.exists() or COMMITTED_PATH.read_text(encoding="utf-8") != document:
                self.stderr.write("docs/api/openapi.json n'est pas à jour : lancez manage.py export_openapi.")
                raise SystemExit(1)
            self.stdout.write("docs/api/openapi.json est à jour.")
            return
        COMMITTED_PATH.parent.mkdir(parents=True, exist_ok=True)
        COMMITTED_PATH.write_text(document, encoding="utf-8")
        self.stdout.write(f"Document OpenAPI écrit dans {COMMITTED_PATH}.")
