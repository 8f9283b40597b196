from django import template

from franceconnect import client

register = template.Library()


@register.inclusion_tag("franceconnect/_button.html")
def franceconnect_button(separator=True):
    """Le bouton « S'identifier avec FranceConnect » (rien si FranceConnect n'est pas configuré)."""
    return {"enabled": client.is_configured(client.FRANCECONNECT), "separator": separator}


@register.inclusion_tag("franceconnect/_proconnect_button.html")
def proconnect_button(separator=True):
    """Le bouton « S'identifier avec ProConnect » (rien si ProConnect n'est pas configuré)."""
    return {"enabled": client.is_configured(client.PROCONNECT), "separator": separator}


@register.inclusion_tag("franceconnect/_login_buttons.html")
def login_buttons():
    """Page de connexion : FranceConnect pour les jeunes, ProConnect pour les professionnel·les (ceux qui sont
    configurés), puis « ou » avant le lien par e-mail."""
    return {
        "franceconnect": client.is_configured(client.FRANCECONNECT),
        "proconnect": client.is_configured(client.PROCONNECT),
    }
