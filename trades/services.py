from django.db import transaction

from trades.catalogue import TRADES
from trades.models import Trade


@transaction.atomic
def catalogue_import(trades=TRADES) -> dict[str, int]:
    """Aligne la table des métiers sur le catalogue ; un métier retiré du catalogue est désactivé, pas
    supprimé (des profils et des offres y renvoient)."""
    existing = {trade.code: trade for trade in Trade.objects.all()}
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    for item in trades:
        values = {"label": item.label, "family": item.family, "rome_codes": list(item.rome_codes), "is_active": True}
        trade = existing.get(item.code)
        if trade is None:
            Trade.objects.create(code=item.code, **values)
            counts["created"] += 1
        elif any(getattr(trade, field) != value for field, value in values.items()):
            Trade.objects.filter(pk=trade.pk).update(**values)
            counts["updated"] += 1
    codes = {item.code for item in trades}
    counts["deactivated"] = Trade.objects.active().exclude(code__in=codes).update(is_active=False)
    return counts
