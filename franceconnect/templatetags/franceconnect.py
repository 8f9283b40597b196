from django import template

from franceconnect import client

register = template.Library()


@register.inclusion_tag("franceconnect/_button.html")
def franceconnect_button(separator=True):
    """Le bouton « S'identifier avec FranceConnect » (rien si FranceConnect n'est pas configuré)."""
    return {"enabled": client.is_configured(), "separator": separator}
