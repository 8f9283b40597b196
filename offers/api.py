"""API publique : les offres publiées et le vocabulaire des offres (niveaux, types de contrat)."""

import datetime
import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from core.enums import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, ContractType, DiplomaLevel
from geo.distance import commune_index, communes_version, communes_within
from geo.selectors import commune_lookup
from offers.models import Offer
from offers.selectors import offer_payload, offers_version, public_offers
from trades.models import Trade

router = Router(tags=["Offres"])
reference_router = Router(tags=["Référentiels"])

MAX_PER_PAGE = 100
ORIGIN_CACHE_SECONDS = 60 * 60
# Une recherche déjà faite est relue du cache tant qu'aucune offre n'a changé (la version des offres est dans la
# clé) ; la durée borne ce qui ne passe pas par une offre (un métier retiré du catalogue, par exemple).
SEARCH_CACHE_SECONDS = 5 * 60


def input_error(parameter: str, message: str) -> ValidationError:
    """Une valeur d'entrée refusée : réponse 400 qui nomme le paramètre (voir config/api.py)."""
    return ValidationError([{"loc": ("query", parameter), "msg": message, "type": "cmc_invalid"}])


# --- Schémas ---------------------------------------------------------------------------------------


class OffersQuery(Schema):
    commune: str | None = Field(
        None,
        description="Code INSEE (ex. 75056) ou code postal (ex. 62000) de la commune autour de laquelle chercher.",
        max_length=100,
    )
    rayon: float = Field(
        DEFAULT_RADIUS_KM,
        gt=0,
        le=MAX_RADIUS_KM,
        description=f"Rayon de recherche autour de la commune, en km (plus de 0, au plus {MAX_RADIUS_KM}). Ignoré sans "
        "commune.",
    )
    metier: str | None = Field(
        None, description="Code métier du catalogue (ex. boulanger) ou code ROME (ex. D1102).", max_length=60
    )
    niveau: DiplomaLevel | None = Field(None, description="Niveau de diplôme préparé (3 à 7).")
    type_contrat: ContractType | None = Field(None, description="Type de contrat.")
    page: int = Field(1, ge=1, le=100000, description="Numéro de la page (à partir de 1).")
    par_page: int = Field(20, ge=1, le=MAX_PER_PAGE, description="Nombre d'offres par page (au plus 100).")


class CodeLabelOut(Schema):
    code: str = Field(description="Code.")
    libelle: str = Field(description="Libellé.")


class OfferCommuneOut(Schema):
    code: str = Field(description="Code INSEE de la commune du lieu de travail.")
    nom: str = Field(description="Nom de la commune.")
    departement: str = Field(description="Code du département.")


class OfferTradeOut(Schema):
    code: str = Field(description="Code du métier dans le catalogue.")
    libelle: str = Field(description="Libellé du métier.")
    famille: str = Field(description="Famille de métiers.")
    famille_libelle: str = Field(description="Libellé de la famille de métiers.")
    codes_rome: list[str] = Field(description="Codes ROME du métier.")


class OfferOut(Schema):
    id: int = Field(description="Identifiant de l'offre.")
    entreprise: str = Field(description="Nom de l'entreprise.")
    commune: OfferCommuneOut
    distance_km: float | None = Field(description="Distance à la commune cherchée, en km (vide sans commune).")
    metier: OfferTradeOut
    niveaux: list[CodeLabelOut] = Field(description="Niveaux de diplôme acceptés (tous si la liste est vide).")
    types_contrat: list[CodeLabelOut] = Field(description="Types de contrat proposés.")
    debut: datetime.date | None = Field(description="Date de début (vide : dès que possible).")
    postes: int = Field(description="Nombre de postes encore ouverts.")
    publiee_le: datetime.datetime | None = Field(description="Date de publication.")
    url: str = Field(description="Page de l'offre sur le service, pour y répondre.")


class OfferPageOut(Schema):
    count: int = Field(description="Nombre total d'offres trouvées.")
    page: int = Field(description="Numéro de cette page.")
    par_page: int = Field(description="Nombre d'offres par page.")
    next: str | None = Field(description="Adresse de la page suivante (vide s'il n'y en a pas).")
    previous: str | None = Field(description="Adresse de la page précédente (vide s'il n'y en a pas).")
    results: list[OfferOut]


class LevelOut(Schema):
    code: str = Field(description="Niveau (nomenclature nationale des diplômes de 2019).")
    libelle: str = Field(description="Libellé complet.")
    libelle_court: str = Field(description="Diplôme typique.")


# --- Lectures --------------------------------------------------------------------------------------


def _origin(value: str) -> str:
    """Le code INSEE de la commune demandée ; gardé en cache jusqu'au changement d'une commune."""
    key = f"api:offres:origine:{communes_version()}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
    code = cache.get(key)
    if code is None:
        lookup = commune_lookup(value, max_choices=1)
        commune = lookup.commune or next(iter(lookup.choices), None)
        if commune is None:
            raise input_error(
                "commune", "Commune inconnue : donnez un code INSEE (ex. 75056) ou un code postal (ex. 62000)."
            )
        code = commune.code
        cache.set(key, code, ORIGIN_CACHE_SECONDS)
    return code


def _trades(value: str) -> list[int]:
    value = value.strip()
    ids = [
        trade_id
        for trade_id, code, rome_codes in Trade.objects.active().values_list("id", "code", "rome_codes")
        if value.lower() == code or value.upper() in rome_codes
    ]
    if not ids:
        raise input_error(
            "metier", "Métier inconnu : donnez un code du catalogue (voir /api/v1/metiers) ou un code ROME."
        )
    return ids


def _in_communes(offers, codes: list[str]):
    """Les offres de ces communes. Sur PostgreSQL, la liste (des centaines de codes pour 30 km) est un seul
    paramètre tableau (`= ANY`), au lieu d'un paramètre par code, chacun préparé par l'ORM."""
    if connection.vendor == "postgresql":
        return offers.extra(where=[f'"{Offer._meta.db_table}"."commune_id" = ANY(%s)'], params=[codes])  # noqa: S610
    return offers.filter(commune_id__in=codes)


def _nearest_first(offers, distances: dict[str, float], start: int, size: int) -> tuple[int, list[Offer]]:
    """Le nombre d'offres des communes de `distances` et la page demandée, les plus proches d'abord (puis par
    identifiant) : une requête compte les offres par commune, une autre lit la page, triée et découpée en SQL
    parmi les seules communes qu'elle touche (une zone de 30 km en compte des centaines, avec des milliers
    d'offres)."""
    per_commune = dict(
        _in_communes(offers, list(distances))
        .order_by()
        .values_list("commune_id")
        .annotate(total=Count("pk"))
        .values_list("commune_id", "total")
    )
    # Les communes à la même distance forment un seul rang : leurs offres s'y suivent par identifiant.
    ranks: dict[float, list[str]] = {}
    for code in sorted(per_commune, key=lambda code: (distances[code], code)):
        ranks.setdefault(distances[code], []).append(code)
    count, seen, skip, touched = sum(per_commune.values()), 0, 0, []
    for codes in ranks.values():
        total = sum(per_commune[code] for code in codes)
        if seen + total > start and seen < start + size:
            if not touched:
                skip = start - seen
            touched.append(codes)
        seen += total
    if not touched:
        return count, []
    rank = Case(
        *(When(commune_id__in=codes, then=Value(position)) for position, codes in enumerate(touched)),
        output_field=IntegerField(),
    )
    page = list(
        offers.filter(commune_id__in=[code for codes in touched for code in codes])
        .annotate(distance_rank=rank)
        .order_by("distance_rank", "pk")[skip : skip + size]
    )
    return count, page


def _page_url(request, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(params.items()))


@router.get(
    "/offres",
    response=OfferPageOut,
    summary="Chercher des offres publiées",
    description="Les offres d'alternance publiées, autour d'une commune (rayon en km) et par métier, niveau ou "
    "type de contrat ; les plus proches d'abord (les plus récentes d'abord sans commune). Aucune donnée "
    "personnelle : pour répondre, suivre le lien `url`.",
)
def offer_search(request, filters: Query[OffersQuery]):
    params = hashlib.sha256(f"{request.scheme}|{request.get_host()}|{sorted(request.GET.lists())}".encode())
    key = f"api:offres:{offers_version()}:{communes_version()}:{params.hexdigest()[:32]}"
    content = cache.get(key)
    if content is None:
        page = OfferPageOut.model_validate(_search(request, filters)).model_dump()
        content = JSONRenderer().render(request, page, response_status=200)
        cache.set(key, content, SEARCH_CACHE_SECONDS)
    return HttpResponse(content, content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}")


def _search(request, filters: OffersQuery) -> dict:
    offers = public_offers()
    if filters.metier:
        offers = offers.filter(trade_id__in=_trades(filters.metier))
    if filters.niveau:
        offers = offers.filter(_json_list_has("levels", filters.niveau) | _json_list_empty("levels"))
    if filters.type_contrat:
        offers = offers.filter(_json_list_has("contract_types", filters.type_contrat))

    start = (filters.page - 1) * filters.par_page
    distances: dict[str, float] = {}
    if filters.commune:
        origin = _origin(filters.commune)
        distances = dict(communes_within(origin, filters.rayon)) if origin in commune_index() else {origin: 0.0}
        count, page = _nearest_first(offers, distances, start, filters.par_page)
    else:
        count = offers.count()
        page = list(offers.order_by("-published_at", "-pk")[start : start + filters.par_page])

    return {
        "count": count,
        "page": filters.page,
        "par_page": filters.par_page,
        "next": _page_url(request, filters.page + 1) if start + filters.par_page < count else None,
        "previous": _page_url(request, filters.page - 1) if filters.page > 1 else None,
        "results": [offer_payload(offer, distances.get(offer.commune_id)) for offer in page],
    }


def _json_list_has(field: str, value: str):
    """Une liste JSON qui contient `value` (recherche textuelle : marche sur SQLite comme sur PostgreSQL)."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


def _json_list_empty(field: str):
    return Q(**{field: []})


@reference_router.get("/niveaux", response=list[LevelOut], summary="Niveaux de diplôme")
def level_list(request):
    """Les niveaux de diplôme préparés en alternance (paramètre `niveau` de /offres)."""
    return [{"code": level.value, "libelle": level.label, "libelle_court": level.short_label} for level in DiplomaLevel]


@reference_router.get("/types-contrat", response=list[CodeLabelOut], summary="Types de contrat")
def contract_type_list(request):
    """Les types de contrat en alternance (paramètre `type_contrat` de /offres)."""
    return [{"code": kind.value, "libelle": kind.label} for kind in ContractType]
