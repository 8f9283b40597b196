from ninja import Router, Schema

from trades.catalogue import FAMILY_LABELS
from trades.models import Trade

router = Router(tags=["Référentiels"])


class TradeOut(Schema):
    code: str
    label: str
    family: str
    family_label: str
    rome_codes: list[str]


@router.get("/metiers", response=list[TradeOut], summary="Catalogue des métiers de l'artisanat")
def trade_list(request):
    return [
        TradeOut(
            code=trade.code,
            label=trade.label,
            family=trade.family,
            family_label=FAMILY_LABELS[trade.family],
            rome_codes=trade.rome_codes,
        )
        for trade in Trade.objects.active().order_by("family", "label")
    ]
