from django.core.management.base import BaseCommand

from partners.services import api_key_create


class Command(BaseCommand):
    help = "Crée une clé d'API pour un partenaire et l'affiche une seule fois (seule son empreinte est gardée)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du partenaire")

    def handle(self, *args, name, **options):
        api_key, raw_key = api_key_create(name=name)
        self.stdout.write(f"Clé d'API de « {api_key.name} » (elle ne sera plus affichée) :")
        self.stdout.write(raw_key)
