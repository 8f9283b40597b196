"""`{{ numero|telephone }}` : un numéro enregistré au format international, affiché au format national
(« 06 12 34 56 78 » ; international hors de France), voir `core.phone.format_phone`."""

from django import template

from core.phone import format_phone

register = template.Library()


@register.filter(name="telephone")
def telephone(value):
    return format_phone(value or "")
