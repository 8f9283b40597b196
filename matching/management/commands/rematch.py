"""Recalcule toutes les paires candidat·e / offre (après un import ou un changement de règles)."""

from django.core.management.base import BaseCommand

from matching.rematch import rematch_all


class Command(BaseCommand):
    help = "Recalcule toutes les mises en relation, en affichant la progression."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sans-alertes",
            action="store_true",
            dest="quiet",
            help="Ne pas envoyer d'alertes pour les nouvelles paires.",
        )

    def handle(self, *, quiet, **options):
        totals = rematch_all(progress=lambda message: self.stdout.write(message), notify=not quiet)
        self.stdout.write(self.style.SUCCESS(f"Paires : {totals}"))
