"""Balises de gabarit de l'application privacy."""

from urllib.parse import quote

from django import template
from django.conf import settings

register = template.Library()

JDMA_BASE_URL = "https://jedonnemonavis.numerique.gouv.fr/Demarches/"


@register.simple_tag
def jdma_url():
    """Adresse du bouton « Je donne mon avis », ou chaîne vide si les identifiants ne sont pas réglés."""
    product = str(getattr(settings, "JDMA_PRODUCT_ID", "") or "")
    button = str(getattr(settings, "JDMA_BUTTON_ID", "") or "")
    if not product or not button:
        return ""
    return f"{JDMA_BASE_URL}{quote(product, safe='')}?button={quote(button, safe='')}"
