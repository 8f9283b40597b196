import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts.enums import Role
from candidates.models import CandidateProfile


def candidate_required(view):
    """Réservé aux candidat·es : anonyme -> /connexion, autre rôle -> 403. Passe le profil à la vue."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.CANDIDATE:
            raise PermissionDenied("Cet espace est réservé aux candidat·es.")
        # Le compte est déjà lu (request.user) : le profil seul, avec sa commune.
        profile = CandidateProfile.objects.filter(user=request.user).select_related("commune").first()
        if profile is None:
            return redirect("candidates:signup")
        profile.user = request.user
        return view(request, profile, *args, **kwargs)

    return wrapper


def next_onboarding_url(profile) -> str:
    """L'écran où reprendre un profil incomplet : « Où et quoi », ou « Quand et comment » une fois la commune et
    le niveau connus."""
    step = 3 if profile.commune_id and profile.level else 2
    return reverse("candidates:onboarding", kwargs={"step": step})
