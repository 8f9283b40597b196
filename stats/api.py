"""API publique : les chiffres de /stats (les mêmes lignes que les données ouvertes)."""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from stats.enums import SECRET
from stats.funnel import all_open_data_rows
from stats.selectors import (
    Scope,
    aggregates_version,
    cached_stats_report,
    cached_zone_labels,
    indicator_definitions,
)
from trades.catalogue import FAMILY_LABELS

router = Router(tags=["Statistiques"])


class StatsQuery(Schema):
    region: str | None = Field(None, max_length=3, description="Code INSEE de la région (ex. 32).")
    departement: str | None = Field(None, max_length=3, description="Code INSEE du département (ex. 62).")
    famille: str | None = Field(None, max_length=40, description="Famille de métiers (voir /api/v1/metiers).")


class IndicatorOut(Schema):
    code: str = Field(description="Code de l'indicateur.")
    libelle: str = Field(description="Libellé.")
    description: str = Field(description="Ce que l'indicateur compte.")


class StatsRowOut(Schema):
    section: str = Field(
        description="total, mois, zone, famille, parcours (profils, paires, contacts, contrats) ou "
        "carte (départements)."
    )
    mois: str = Field(description="AAAA-MM pour la section mois, vide sinon.")
    zone_type: str = Field(description="france, region ou departement.")
    zone_code: str = Field(description="Code INSEE de la zone (vide pour la France).")
    zone_nom: str = Field(description="Nom de la zone.")
    famille_code: str = Field(description="Famille de métiers (vide : toutes).")
    famille_nom: str = Field(description="Libellé de la famille.")
    indicateur: str = Field(description="Code de l'indicateur.")
    unite: str = Field(description="nombre, pourcentage ou jours.")
    valeur: str = Field(
        description=f"Le chiffre, « {SECRET} » s'il est masqué (secret statistique), vide s'il est sans objet."
    )


class StatsOut(Schema):
    calcule_le: datetime.datetime | None = Field(description="Date du calcul des agrégats.")
    perimetre: str = Field(description="Le périmètre des chiffres.")
    indicateurs: list[IndicatorOut]
    lignes: list[StatsRowOut]


def _invalid(parameter: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ("query", parameter), "msg": message, "type": "cmc_invalid"}])


@router.get(
    "/statistiques",
    response=StatsOut,
    summary="Statistiques publiques",
    description="Les chiffres de la page /stats pour un périmètre (France entière par défaut) : totaux, séries "
    "mensuelles, ventilations par zone et par famille de métiers. Secret statistique : « s » (comptes de 1 à 4, "
    "et masquage secondaire pour qu'aucun chiffre masqué ne se retrouve par soustraction).",
)
def statistics(request, filters: Query[StatsQuery]):
    version = aggregates_version()
    labels = cached_zone_labels(version)
    regions, departements = labels
    if filters.region and filters.region not in regions:
        raise _invalid("region", "Région inconnue : donnez un code INSEE de région (ex. 32).")
    if filters.departement and filters.departement not in departements:
        raise _invalid("departement", "Département inconnu : donnez un code INSEE de département (ex. 62).")
    if filters.famille and filters.famille not in FAMILY_LABELS:
        raise _invalid("famille", "Famille de métiers inconnue (voir /api/v1/metiers).")
    if filters.departement and filters.region and departements[filters.departement][1] != filters.region:
        raise _invalid("departement", "Ce département n'est pas dans la région demandée.")
    scope = Scope(
        region=departements[filters.departement][1] if filters.departement else (filters.region or ""),
        departement=filters.departement or "",
        family=filters.famille or "",
    )
    report = cached_stats_report(scope, version=version, labels=labels)
    return {
        "calcule_le": report.computed_at,
        "perimetre": report.scope_label,
        "indicateurs": indicator_definitions(),
        "lignes": all_open_data_rows(report, version=version, labels=labels),
    }
