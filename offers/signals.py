"""Signaux des offres, pour les applications qui en dépendent sans que `offers` les connaisse : la mise en
relation (`matching.receivers`) et la diffusion sur La bonne alternance (`partners.receivers`)."""

from django.dispatch import Signal

# Une offre a changé (publiée, modifiée, pourvue, expirée, archivée, entreprise vérifiée ou refusée) : `offer`.
# Envoyé dans la transaction du changement ; les récepteurs agissent après le commit.
offer_changed = Signal()
