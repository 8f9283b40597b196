import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import services


class Command(BaseCommand):
    help = "Crée des employeurs, des offres et des candidat·es de démonstration (déterministe pour une graine)."

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, default=1000, help="Nombre de profils candidats (1000).")
        parser.add_argument("--employers", type=int, help="Nombre d'employeurs (par défaut un pour cinq candidats).")
        parser.add_argument("--region", default=services.HAUTS_DE_FRANCE,
                            help="Code INSEE de la région (32 : Hauts-de-France), ou « france ».")  # fmt: skip
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="Supprime d'abord les données de démonstration.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Ne fait rien si des données de démonstration existent."
        )

    def handle(self, *args, candidates, employers, region, seed, reset, if_empty, **options):
        # Des comptes aux adresses connues et des profils inventés n'ont rien à faire en production.
        if not settings.DEBUG:
            raise CommandError(
                "Refusé : DEBUG est désactivé, c'est donc peut-être la production. Les données de démonstration "
                "ne se créent que sur un poste de développement ou de recette (DEBUG=1)."
            )
        if if_empty and services.demo_exists():
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        if reset:
            services.demo_delete()
        elif services.demo_exists():
            raise CommandError("Des données de démonstration existent déjà : relancez avec --reset pour les remplacer.")
        started = time.monotonic()
        try:
            services.demo_seed(
                candidates=candidates,
                employers=max(1, candidates // 5) if employers is None else employers,
                region=None if region == "france" else region,
                seed=seed,
                log=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Données de démonstration créées en {time.monotonic() - started:.1f} s.")
