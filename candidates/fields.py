"""Le champ des métiers des formulaires des candidat·es : des cases à cocher rangées par famille."""

from itertools import groupby

from django import forms
from dsfr.forms import DsfrBoundField

from trades.catalogue import FAMILY_LABELS
from trades.models import Trade


class TradesBoundField(DsfrBoundField):
    """Les cases à cocher des métiers, rangées par famille."""

    @property
    def families(self):
        selected = {str(value) for value in (self.value() or [])}
        groups = []
        subwidgets = sorted(self.subwidgets, key=lambda sw: sw.data["value"].instance.family)
        order = {code: index for index, code in enumerate(FAMILY_LABELS)}
        for family, items in groupby(subwidgets, key=lambda sw: sw.data["value"].instance.family):
            items = list(items)
            groups.append(
                {
                    "code": family,
                    "label": FAMILY_LABELS.get(family, family),
                    "subwidgets": items,
                    "has_selected": any(str(sw.data["value"]) in selected for sw in items),
                }
            )
        groups.sort(key=lambda group: order.get(group["code"], len(order)))
        return groups


class TradesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    template_name = "candidates/_trades_field.html"

    def __init__(self, **kwargs):
        super().__init__(queryset=Trade.objects.active().order_by("family", "label"), **kwargs)

    def get_bound_field(self, form, field_name):
        return TradesBoundField(form, self, field_name)
