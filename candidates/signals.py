"""Signaux des profils, pour la mise en relation sans que `candidates` la connaisse (`matching.receivers`).

Envoyés dans la transaction de l'écriture, avec l'argument `profile` :
- `profile_changed` : un profil complet a changé ; `fields` nomme les champs changés (la mise en relation ne
  recalcule que si l'un d'eux décide des paires) ;
- `profile_completed` : un profil vient d'être terminé (« Terminer mon profil ») ; ses premières paires sont
  attendues sur la page qui suit.
"""

from django.dispatch import Signal

profile_changed = Signal()
profile_completed = Signal()
