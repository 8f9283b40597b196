from django.core.management.base import BaseCommand, CommandError

from partners.services import WidgetError, widget_create


class Command(BaseCommand):
    help = "Crée le module de recherche d'offres d'un partenaire (CMA, CFA), affichable seulement sur ses sites."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du partenaire")
        parser.add_argument("slug", help="Adresse du module : /widget/<slug>")
        parser.add_argument("--origine", action="append", default=[], help="Site autorisé (répétable)")

    def handle(self, *args, name, slug, origine, **options):
        try:
            widget = widget_create(name=name, slug=slug, origins=origine)
        except WidgetError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Module de « {widget.name} » : /widget/{widget.slug}, sites : {', '.join(widget.allowed_origins)}"
        )
