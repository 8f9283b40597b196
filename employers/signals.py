"""Événements des entreprises, pour les applications qui en dépendent sans que `employers` les connaisse.

`company_event` (arguments : `action` de `CompanyEvent`, `actor`, `company`, `membership`, `details`) est
envoyé dans la transaction de l'écriture : le back-office l'inscrit au journal d'audit, `offers` recalcule les
paires des offres d'une entreprise vérifiée ou refusée.
"""

from django.dispatch import Signal

company_event = Signal()
