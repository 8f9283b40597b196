"""Ce qu'écoute le socle : un réglage modifié (les tests en changent) fait oublier l'accueil que chaque processus
garde rendu."""

from django.core.signals import setting_changed
from django.dispatch import receiver

from core.views import anonymous_home_forget


@receiver(setting_changed)
def forget_anonymous_home(**kwargs):
    anonymous_home_forget()
