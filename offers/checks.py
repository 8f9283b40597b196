"""Vérifications des offres (`manage.py check`)."""

from django.core import checks
from django.utils import timezone

from offers import legal


@checks.register
def smic_is_current(app_configs=None, **kwargs):
    """Avertit (sans bloquer) quand la plus récente entrée du SMIC de `offers.legal.FACTS` a plus de 13 mois :
    le SMIC est revalorisé au moins chaque année."""
    if not legal.smic_is_stale(timezone.localdate()):
        return []
    newest = legal.newest_smic()
    return [
        checks.Warning(
            f"Le SMIC le plus récent de offers/legal.py date du {newest.since:%d/%m/%Y} : plus de "
            f"{legal.SMIC_MAX_AGE_MONTHS} mois. Les salaires affichés avec les offres sont peut-être faux.",
            hint="Ajoutez l'entrée du nouveau SMIC (montant, date, décret) dans offers.legal.FACTS.",
            id="offers.W001",
        )
    ]
