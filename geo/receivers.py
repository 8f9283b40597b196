"""Invalidation de l'index des distances quand une commune change hors de l'import (admin, tests…)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from geo.distance import commune_index_invalidate
from geo.models import Commune


@receiver([post_save, post_delete], sender=Commune, dispatch_uid="geo_commune_index_invalidate")
def invalidate_commune_index(sender, **kwargs):
    commune_index_invalidate()
