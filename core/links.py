"""Les adresses des lignes d'une liste : un seul `reverse()` par page au lieu d'un par ligne."""

from collections.abc import Callable

from django.urls import reverse

# Un entier témoin, qu'aucune clé réelle n'atteint, à la place du dernier argument.
_SLOT = 987_654_321_987_654_321


def reverse_each(viewname: str, *args) -> Callable[[object], str]:
    """`reverse(viewname, args=[*args, last])` pour chaque `last`. Le dernier argument d'une adresse est aussi le
    dernier écrit dans son chemin : on le remplace dans l'adresse calculée une fois avec le témoin."""
    head, _, tail = reverse(viewname, args=[*args, _SLOT]).rpartition(str(_SLOT))
    return lambda last: f"{head}{last}{tail}"
