"""Les lectures des pages du back-office, toutes bornées au territoire de la ou du conseiller·e par `scope`
(les listes de travail du tableau de bord sont dans `worklists.py`)."""

from django.db.models import Count, Q

from accounts.enums import Role
from backoffice import scope
from backoffice.models import AdvisorProfile, AuditLog, Cma
from backoffice.worklists import BOARD_LISTS
from employers.enums import MembershipStatus, VerificationStatus
from employers.models import Company
from matching.models import Match
from offers.models import Report

# --- Tableau de bord ------------------------------------------------------------------------------


def board_counts(advisor) -> list[dict]:
    """Chaque liste de travail et le nombre de ses lignes pour `advisor`."""
    return [
        {"board": board, "count": board.base_queryset(advisor).order_by().values("pk").distinct().count()}
        for board in BOARD_LISTS.values()
    ]


def territory_label(advisor) -> str:
    if scope.is_national(advisor):
        return "France entière"
    names = [str(r) for r in advisor.regions.all()] + [str(d) for d in advisor.departements.all()]
    return ", ".join(names) or "Aucun territoire attribué"


# --- Candidat·es et offres ------------------------------------------------------------------------


def candidate_matches(candidate):
    """Toutes les paires d'un profil, les actives et les mieux notées d'abord."""
    return (
        Match.objects.filter(candidate=candidate)
        .select_related("offer__company", "offer__trade", "offer__commune")
        .order_by("-is_active", "-score", "-pk")
    )


def proposable_offers(advisor, candidate):
    """Les offres qu'un·e conseiller·e peut proposer à la main : publiées, du territoire, sans paire avec ce
    profil."""
    return scope.offers_for(advisor).published().exclude(matches__candidate=candidate)


def offer_match_counts(advisor, offer) -> dict:
    """Le nombre de paires d'une offre que voit `advisor`, par état."""
    matches = scope.matches_for(advisor).filter(offer=offer)
    return dict(matches.order_by().values_list("state").annotate(count=Count("pk")))


def offer_matches(advisor, offer, *, state=""):
    """Les paires d'une offre que voit `advisor` (d'un état, s'il est donné), les actives et les mieux notées
    d'abord."""
    matches = scope.matches_for(advisor).filter(offer=offer)
    return (
        (matches.filter(state=state) if state else matches)
        .select_related("candidate__user", "candidate__commune")
        .order_by("-is_active", "-score", "-pk")
    )


# --- Entreprises à vérifier -----------------------------------------------------------------------


def companies_to_verify(advisor):
    """Les entreprises du territoire qui attendent un·e conseiller·e : à vérifier, signalées (signalements
    ouverts), ou sans membre avec une demande de rattachement."""
    reported = Report.objects.open().values("offer__company")
    orphan_requests = Company.objects.without_members().with_pending_requests().values("pk")
    return scope.companies_for(advisor).filter(
        Q(verification_status=VerificationStatus.TO_VERIFY) | Q(pk__in=reported) | Q(pk__in=orphan_requests)
    )


def companies_to_verify_with_counts(advisor):
    """Les mêmes, avec leurs demandes de rattachement et leurs signalements ouverts, les plus anciennes
    d'abord."""
    return (
        companies_to_verify(advisor)
        .select_related("commune")
        .annotate(
            pending_requests=Count(
                "memberships", filter=Q(memberships__status=MembershipStatus.PENDING), distinct=True
            ),
            open_reports=Count("offers__reports", filter=Q(offers__reports__decision=""), distinct=True),
        )
        .order_by("created_at", "pk")
    )


def company_memberships(company):
    """Les rattachements d'une entreprise, sauf les retirés."""
    return company.memberships.exclude(status=MembershipStatus.REMOVED).select_related("user").order_by("pk")


def company_reported_offers(company):
    """Les offres signalées d'une entreprise, les suspendues d'abord, avec leurs signalements."""
    return (
        company.offers.filter(reports__isnull=False)
        .select_related("trade")
        .prefetch_related("reports")
        .distinct()
        .order_by("-matching_suspended", "pk")
    )


# --- Administration nationale ---------------------------------------------------------------------


def cmas_with_counts():
    return Cma.objects.select_related("region").annotate(advisor_count=Count("advisors"))


def advisors():
    """Les comptes de conseiller·es, avec leur CMA et leurs territoires."""
    return (
        AdvisorProfile.objects.filter(user__role=Role.ADVISOR)
        .select_related("user", "cma")
        .prefetch_related("regions", "departements")
        .order_by("user__last_name", "pk")
    )


def audit_entries(filters: dict | None = None):
    """Le journal d'audit, filtré par les champs de `forms.JournalFilterForm` s'ils sont donnés."""
    entries = AuditLog.objects.select_related("actor")
    if filters is not None:
        entries = entries.filter_by(
            action=filters["action"],
            actor_id=filters["actor"],
            object_type=filters["object_type"],
            object_id=filters["object_id"],
        )
    return entries
