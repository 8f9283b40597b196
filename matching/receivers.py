"""Ce que la mise en relation fait quand une offre ou un profil change (signaux de `offers` et de `candidates`,
qui ne connaissent pas `matching`)."""

from django.dispatch import receiver

from candidates.signals import profile_changed, profile_completed
from matching import rematch, rules, tasks
from offers.signals import offer_changed


@receiver(offer_changed, dispatch_uid="matching-rematch-on-offer-change")
def rematch_changed_offer(sender, *, offer, **kwargs):
    """Les paires de l'offre sont recalculées en tâche de fond, après le commit."""
    tasks.schedule_rematch_for_offer(offer)


# Champs du profil qui changent ses paires : ceux que lisent les faits des règles (chaque fait déclare les siens),
# plus le permis et le véhicule, montrés aux employeurs avec chaque paire.
PROFILE_MATCHING_FIELDS = rules.model_fields(rules.CandidateFacts) | {"has_driving_licence", "has_vehicle"}


@receiver(profile_changed, dispatch_uid="matching-rematch-on-profile-change")
def rematch_changed_profile(sender, *, profile, fields, **kwargs):
    """Les paires du profil sont recalculées en tâche de fond, après le commit, si un champ changé les décide."""
    if fields & PROFILE_MATCHING_FIELDS:
        tasks.schedule_rematch_for_candidate(profile)


@receiver(profile_completed, dispatch_uid="matching-first-matches")
def first_matches(sender, *, profile, **kwargs):
    """Les premières paires d'un profil terminé, calculées juste après le commit (`rematch.compute_first_matches`)."""
    rematch.compute_first_matches(profile)
