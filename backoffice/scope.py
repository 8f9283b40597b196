"""Le périmètre d'un·e conseiller·e, en UN seul endroit.

Toute vue du back-office passe par `advisor_required` (rôle + second facteur vérifié dans la session) et
ne lit les candidat·es, entreprises, offres et mises en relation qu'à travers les fonctions `*_for` :
un objet hors du territoire n'existe pas pour elle (404).
"""

import functools
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from accounts.enums import Role
from backoffice.models import AdvisorProfile
from candidates.models import CandidateProfile
from employers.models import Company
from geo.models import Departement
from matching.models import Match
from offers.models import Offer

SESSION_VERIFIED_KEY = "backoffice_second_factor_user"
BACKOFFICE_ROLES = {Role.ADVISOR, Role.ADMIN}


def is_national(advisor: AdvisorProfile) -> bool:
    """L'administrateur·rice nationale voit tous les territoires."""
    return advisor.user.role == Role.ADMIN


def departements_for(advisor: AdvisorProfile):
    if is_national(advisor):
        return Departement.objects.all()
    return Departement.objects.filter(code__in=advisor.departement_codes())


def covers(advisor: AdvisorProfile, commune) -> bool:
    """La commune est-elle dans le territoire (lieu d'un profil créé ou d'une offre) ?"""
    return departements_for(advisor).filter(pk=commune.departement_id).exists()


def _in_territory(advisor: AdvisorProfile, field: str) -> Q:
    if is_national(advisor):
        return Q()
    return Q(**{f"{field}__departement__in": advisor.departement_codes()})


def candidates_for(advisor: AdvisorProfile):
    return CandidateProfile.objects.filter(_in_territory(advisor, "commune"))


def companies_for(advisor: AdvisorProfile):
    return Company.objects.filter(_in_territory(advisor, "commune"))


def sirets_outside(advisor: AdvisorProfile, sirets) -> set[str]:
    """Parmi ces SIRET, ceux d'entreprises déjà inscrites hors du territoire : on ne publie pas sous leur nom
    (formulaire d'offre et import CSV)."""
    sirets = set(sirets)
    if is_national(advisor) or not sirets:
        return set()
    inside = companies_for(advisor).filter(siret__in=sirets).values_list("siret", flat=True)
    return set(Company.objects.filter(siret__in=sirets).exclude(siret__in=inside).values_list("siret", flat=True))


def offers_for(advisor: AdvisorProfile):
    return Offer.objects.filter(_in_territory(advisor, "commune"))


def matches_for(advisor: AdvisorProfile):
    """Les paires dont la ou le candidat·e ou l'offre est dans le territoire."""
    if is_national(advisor):
        return Match.objects.all()
    codes = advisor.departement_codes()
    return Match.objects.filter(Q(candidate__commune__departement__in=codes) | Q(offer__commune__departement__in=codes))


def territory_codes(advisor: AdvisorProfile) -> frozenset[str] | None:
    """Les codes des départements couverts (lus une fois par requête) ; None : France entière."""
    if is_national(advisor):
        return None
    if not hasattr(advisor, "_territory_codes"):
        advisor._territory_codes = frozenset(advisor.departement_codes().values_list("code", flat=True))
    return advisor._territory_codes


def shows_identity(advisor: AdvisorProfile, candidate: CandidateProfile) -> bool:
    """Le nom et la commune d'un·e candidat·e ne se montrent qu'aux conseiller·es de son territoire ; hors de
    lui (une paire avec une offre du territoire), seulement un pseudonyme et le département."""
    codes = territory_codes(advisor)
    return codes is None or (candidate.commune is not None and candidate.commune.departement_id in codes)


def candidate_name(advisor: AdvisorProfile, candidate: CandidateProfile) -> str:
    if shows_identity(advisor, candidate):
        return candidate.user.get_full_name() or f"Profil {candidate.pk}"
    return f"Candidat·e n° {candidate.pk}"


def candidate_place(advisor: AdvisorProfile, candidate: CandidateProfile) -> str:
    if candidate.commune is None:
        return "commune inconnue"
    if shows_identity(advisor, candidate):
        return candidate.commune.name
    return f"département {candidate.commune.departement_id}"


def get_in_scope(queryset, **lookup):
    """L'objet s'il est dans le périmètre, sinon 404."""
    return get_object_or_404(queryset, **lookup)


def is_verified(request) -> bool:
    return request.session.get(SESSION_VERIFIED_KEY) == request.user.pk


def mark_verified(request):
    request.session.cycle_key()
    request.session[SESSION_VERIFIED_KEY] = request.user.pk


def _advisor_of(user) -> AdvisorProfile | None:
    if not user.is_authenticated or user.role not in BACKOFFICE_ROLES:
        return None
    profile = AdvisorProfile.objects.select_related("user", "cma").filter(user=user).first()
    if profile is None and user.role == Role.ADMIN:
        profile = AdvisorProfile.objects.create(user=user)
        profile.user = user
    return profile


def advisor_required(view=None, *, verified=True, admin=False):
    """Rôle conseiller ou administrateur, second facteur vérifié dans cette session ; pose `request.advisor`.

    `verified=False` pour les pages d'activation et de vérification du second facteur elles-mêmes ;
    `admin=True` pour les pages de l'administrateur·rice nationale."""

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
            advisor = _advisor_of(request.user)
            if advisor is None:
                raise PermissionDenied
            request.advisor = advisor
            if verified:
                if not advisor.totp_confirmed:
                    return redirect("backoffice:enrol")
                if not is_verified(request):
                    return redirect(f"{reverse('backoffice:verify')}?{urlencode({'next': request.get_full_path()})}")
            if admin and request.user.role != Role.ADMIN:
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        wrapper.advisor_required = True
        return wrapper

    return decorator(view) if view is not None else decorator


def admin_required(view):
    return advisor_required(view, admin=True)
