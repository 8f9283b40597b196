"""Calcul des agrégats statistiques : uniquement des requêtes GROUP BY, aucune ligne chargée une à une."""

import logging

from django.db import transaction
from django.db.models import Count, DateField, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from candidates.models import CandidateProfile
from employers.models import Company
from geo.models import Commune
from matching.enums import MatchState
from matching.models import Match
from offers.enums import OfferStatus
from offers.models import Offer
from stats import secrecy
from stats.enums import Indicator
from stats.models import Aggregate, MaskedCell, Refresh

logger = logging.getLogger(__name__)

CONTACT_STATES = [MatchState.CONNECTED, MatchState.INTERVIEW, MatchState.CONTRACT_SIGNED]
MAX_DAYS = 3650


class DaysBetween(Func):
    """Nombre de jours entiers entre deux instants (`fin - début`), calculé par la base."""

    arity = 2
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_sql(self, compiler, connection, **extra_context):
        extra_context.setdefault("template", "CAST(FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400) AS INTEGER)")
        extra_context.setdefault("arg_joiner", " - ")
        return super().as_sql(compiler, connection, **extra_context)


def _month(expression):
    return Trunc(expression, "month", output_field=DateField())


def _sources():
    """Pour chaque indicateur : (queryset, date du mois ou None, chemin de la commune, chemin de la famille)."""
    published = Offer.objects.filter(published_at__isnull=False)
    contact_date = Coalesce("connected_at", "created_at")
    return {
        Indicator.CANDIDATES: (CandidateProfile.objects.all(), "created_at", "commune", "trades__family"),
        Indicator.EMPLOYERS: (Company.objects.all(), "created_at", "commune", "offers__trade__family"),
        Indicator.OFFERS_PUBLISHED: (published, "published_at", "commune", "trade__family"),
        Indicator.OFFERS_OPEN: (Offer.objects.published(), None, "commune", "trade__family"),
        Indicator.OFFERS_FILLED: (
            published.filter(Q(filled_positions__gt=0) | Q(status=OfferStatus.FILLED)),
            "published_at",
            "commune",
            "trade__family",
        ),
        Indicator.MATCHES: (Match.objects.all(), "created_at", "offer__commune", "offer__trade__family"),
        Indicator.CONTACTS: (
            Match.objects.filter(state__in=CONTACT_STATES),
            contact_date,
            "offer__commune",
            "offer__trade__family",
        ),
        Indicator.CONTRACTS: (
            Match.objects.filter(state=MatchState.CONTRACT_SIGNED),
            contact_date,
            "offer__commune",
            "offer__trade__family",
        ),
    }


def _first_contact_delays():
    first_contact = (
        Match.objects.filter(offer=OuterRef("pk"), connected_at__isnull=False)
        .order_by("connected_at")
        .values("connected_at")[:1]
    )
    return (
        Offer.objects.filter(published_at__isnull=False)
        .annotate(stat_first_contact=Subquery(first_contact))
        .filter(stat_first_contact__isnull=False)
        .annotate(stat_days=DaysBetween("stat_first_contact", "published_at"))
    )


def _grouped_rows(indicator, queryset, month, commune, family, *, days=False):
    """Les lignes d'agrégats d'un indicateur : une requête GROUP BY sans famille, une par famille."""
    rows = []
    for by_family in (False, True):
        dimensions = {
            "stat_departement": F(f"{commune}__departement_id"),
            "stat_region": F(f"{commune}__departement__region_id"),
        }
        if month is not None:
            dimensions["stat_month"] = _month(month)
        if by_family:
            dimensions["stat_family"] = F(family)
        names = list(dimensions)
        if days:
            names.append("stat_days")
        grouped = (
            queryset.annotate(**dimensions)
            .values(*names)
            .annotate(stat_value=Count("pk", distinct=by_family))
            .order_by()
        )
        for row in grouped:
            family_code = row.get("stat_family", "")
            if by_family and not family_code:
                continue
            rows.append(
                Aggregate(
                    indicator=indicator,
                    month=row.get("stat_month"),
                    region=row["stat_region"] or "",
                    departement=row["stat_departement"] or "",
                    family=family_code,
                    days=min(max(row["stat_days"], 0), MAX_DAYS) if days else None,
                    value=row["stat_value"],
                )
            )
    return rows


@transaction.atomic
def stats_refresh() -> Refresh:
    """Recalcule tous les agrégats et les remplace d'un coup ; renvoie le calcul enregistré."""
    rows = []
    for indicator, (queryset, month, commune, family) in _sources().items():
        rows += _grouped_rows(indicator, queryset, month, commune, family)
    rows += _grouped_rows(
        Indicator.FIRST_CONTACT_DELAY, _first_contact_delays(), "published_at", "commune", "trade__family", days=True
    )
    rows += funnel_rows()
    return aggregates_replace(rows=rows)


def funnel_rows() -> list[Aggregate]:
    """Les agrégats du parcours (profils, paires, contacts, contrats) : candidat·es qui ont eu une mise en
    relation, et les histogrammes des délais entre deux étapes."""
    has_pair = Exists(Match.objects.filter(candidate=OuterRef("pk")))
    first_pair = Match.objects.filter(candidate=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    profiles = CandidateProfile.objects.filter(has_pair)
    rows = _grouped_rows(Indicator.CANDIDATES_MATCHED, profiles, "created_at", "commune", "trades__family")
    first_pair_delays = profiles.annotate(stat_first_pair=Subquery(first_pair)).annotate(
        stat_days=DaysBetween("stat_first_pair", "created_at")
    )
    rows += _grouped_rows(
        Indicator.FIRST_PAIR_DELAY, first_pair_delays, "created_at", "commune", "trades__family", days=True
    )
    contacts = Match.objects.filter(connected_at__isnull=False, state__in=CONTACT_STATES)
    rows += _grouped_rows(
        Indicator.CONTACT_DELAY,
        contacts.annotate(stat_days=DaysBetween("connected_at", "created_at")),
        "created_at",
        "offer__commune",
        "offer__trade__family",
        days=True,
    )
    contracts = Match.objects.filter(
        state=MatchState.CONTRACT_SIGNED, connected_at__isnull=False, outcome_at__isnull=False
    )
    rows += _grouped_rows(
        Indicator.CONTRACT_DELAY,
        contracts.annotate(stat_days=DaysBetween("outcome_at", "connected_at")),
        Coalesce("connected_at", "created_at"),
        "offer__commune",
        "offer__trade__family",
        days=True,
    )
    return rows + population_rows()


def population_rows() -> list[Aggregate]:
    """La population de chaque département (somme de ses communes) : la base de la carte de /stats, rangée avec
    les agrégats pour que la page ne lise qu'eux."""
    grouped = (
        Commune.objects.values("departement_id", "departement__region_id").annotate(total=Sum("population")).order_by()
    )
    return [
        Aggregate(
            indicator=Indicator.POPULATION,
            region=row["departement__region_id"],
            departement=row["departement_id"],
            value=row["total"] or 0,
        )
        for row in grouped
    ]


@transaction.atomic
def aggregates_replace(*, rows: list[Aggregate]) -> Refresh:
    """Remplace les agrégats et les cases masquées (secret statistique primaire et secondaire) d'un coup."""
    masked = secrecy.masked_cells(rows)
    Aggregate.objects.all().delete()
    Aggregate.objects.bulk_create(rows, batch_size=2000)
    MaskedCell.objects.all().delete()
    MaskedCell.objects.bulk_create(
        (
            MaskedCell(indicator=indicator, zone=zone, family=family, month=month)
            for indicator, zone, family, month in masked
        ),
        batch_size=2000,
    )
    Refresh.objects.all().delete()
    refresh = Refresh.objects.create(computed_at=timezone.now(), rows=len(rows))
    logger.info("Statistiques recalculées : %s agrégats, %s cases masquées", len(rows), len(masked))
    return refresh
