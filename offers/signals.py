"""Signaux des offres, pour les applications qui les diffusent ailleurs sans que `offers` les connaisse."""

from django.dispatch import Signal

# Une offre a changé (publiée, modifiée, pourvue, expirée, archivée, entreprise vérifiée ou refusée) : `offer`.
# Envoyé dans la transaction du changement ; les récepteurs agissent après le commit.
offer_changed = Signal()
