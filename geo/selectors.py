"""Lectures du référentiel géographique : recherche et identification de communes."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Min, Prefetch, Q

from core.text import normalize_search
from geo.models import Commune, PostalCode

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
ARTICLES = ("le", "la", "les", "l")  # « havre » trouve « Le Havre » parmi les noms exacts

_POSTAL_CODE_PREFIX = re.compile(r"[0-9]{2,5}")
_INSEE_CODE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}", re.IGNORECASE)
_LABEL = re.compile(r"(?P<name>.*\S)\s*\(\s*(?P<code>[0-9]{5}|[0-9]{2,3}|2[AB])\s*\)", re.IGNORECASE)


def _startswith(field_name: str, prefix: str) -> Q:
    """`field__startswith`, servi par l'index de la colonne.

    PostgreSQL le fait seul (index `_like` créé par Django). Le LIKE de SQLite, insensible à la casse,
    n'utilise pas l'index : on l'écrit en intervalle, exact pour ces colonnes en ASCII.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + "\uffff"})
    return Q(**{f"{field_name}__startswith": prefix})


def _with_details(queryset):
    return queryset.select_related("departement").prefetch_related(
        Prefetch("postal_codes", queryset=PostalCode.objects.order_by("code"))
    )


def _by_population(queryset):
    return queryset.order_by("-population", "name", "code")


def _in_order(codes: list[str]) -> list[Commune]:
    communes = _with_details(Commune.objects.filter(code__in=codes)).in_bulk()
    return [communes[code] for code in codes]


def _name_variants(normalized: str) -> list[str]:
    return [
        normalized,
        *(f"{article} {normalized}" for article in ARTICLES if not normalized.startswith(f"{article} ")),
    ]


def _search_by_postal_code(digits: str, limit: int) -> list[Commune]:
    condition = Q(code=digits) if len(digits) == 5 else _startswith("code", digits)
    # D'abord les codes postaux (index), puis les communes par clé primaire : pas de jointure sur toute la table.
    matched = dict(
        PostalCode.objects.filter(condition)
        .values("commune")
        .annotate(first=Min("code"))
        .values_list("commune", "first")
    )
    if not matched and len(digits) == 5:  # peut-être un code INSEE
        return list(_with_details(Commune.objects.filter(code=digits)))
    communes = list(_with_details(_by_population(Commune.objects.filter(code__in=matched)))[:limit])
    for commune in communes:
        commune.matched_postal_code = matched[commune.code]
    return communes


def _search_by_name(normalized: str, limit: int) -> list[Commune]:
    variants = _name_variants(normalized)
    prefix = Q()
    for variant in variants:
        prefix |= _startswith("search_name", variant)
    groups = (Q(search_name__in=variants), prefix, Q(search_name__contains=normalized))
    codes: list[str] = []
    for condition in groups:
        if len(codes) >= limit:
            break
        queryset = Commune.objects.filter(condition).exclude(code__in=codes)
        codes.extend(_by_population(queryset).values_list("code", flat=True)[: limit - len(codes)])
    return _in_order(codes)


def commune_search(q: str, limit: int = 10) -> list[Commune]:
    """Communes qui correspondent à `q`, les plus pertinentes d'abord (au plus `limit`).

    2 à 5 chiffres : code postal (début de code postal en dessous de 5 chiffres), puis code INSEE.
    Sinon, nom normalisé : noms exacts, puis noms qui commencent par `q`, puis noms qui le contiennent ;
    chaque groupe trié par population décroissante. Chaque commune a `departement` et ses codes postaux
    préchargés (`postal_code_list`, `label`).
    """
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if limit <= 0:
        return []
    digits = q.replace(" ", "")
    if _POSTAL_CODE_PREFIX.fullmatch(digits):
        return _search_by_postal_code(digits, limit)
    normalized = normalize_search(q)
    if len(normalized) < MIN_QUERY_LENGTH:
        return []
    return _search_by_name(normalized, limit)


@dataclass
class CommuneLookup:
    """Résultat de `commune_lookup` : une commune, ou des choix (ambiguïté), ou des suggestions (inconnue)."""

    commune: Commune | None = None
    choices: list[Commune] = field(default_factory=list)
    suggestions: list[Commune] = field(default_factory=list)


def commune_suggestions(text: str, limit: int = 5) -> list[Commune]:
    """Communes proches de `text` : la recherche, puis la même sans ses dernières lettres (faute de frappe)."""
    suggestions = commune_search(text, limit=limit)
    normalized = normalize_search(text)
    if suggestions or _POSTAL_CODE_PREFIX.fullmatch(normalized.replace(" ", "")):
        return suggestions
    for cut in (1, 2, 3):
        if len(normalized) - cut < 4:
            break
        suggestions = commune_search(normalized[:-cut], limit=limit)
        if suggestions:
            break
    return suggestions


def _lookup(candidates: list[Commune], suggest: str) -> CommuneLookup:
    if len(candidates) == 1:
        return CommuneLookup(commune=candidates[0])
    if candidates:
        return CommuneLookup(choices=candidates)
    return CommuneLookup(suggestions=commune_suggestions(suggest))


def commune_lookup(value: str, *, max_choices: int = 10) -> CommuneLookup:
    """Identifie la commune désignée par `value` : code INSEE, « Nom (code postal) », code postal ou nom.

    Un code postal ou un nom ne suffit que s'il désigne une seule commune ; sinon `choices` les liste.
    """
    value = " ".join((value or "").split())[:MAX_QUERY_LENGTH]
    if not value:
        return CommuneLookup()
    digits = value.replace(" ", "")

    if _INSEE_CODE.fullmatch(digits) and not digits.isdigit():  # Corse : 2A004, 2B033
        return _lookup(list(_with_details(Commune.objects.filter(code=digits.upper()))), digits[:2])

    if len(digits) == 5 and digits.isdigit():
        by_postal_code = _with_details(_by_population(Commune.objects.filter(postal_codes__code=digits).distinct()))[
            :max_choices
        ]
        candidates = list(by_postal_code)
        for commune in candidates:
            commune.matched_postal_code = digits
        # Un code INSEE qui serait aussi un code postal d'une autre commune : on demande de choisir.
        by_insee = Commune.objects.filter(code=digits).exclude(code__in=[commune.code for commune in candidates])
        candidates.extend(_with_details(by_insee))
        return _lookup(candidates, digits[:3])

    label = _LABEL.fullmatch(value)
    if label:
        name, code = label["name"], label["code"].upper()
        queryset = Commune.objects.filter(search_name__in=_name_variants(normalize_search(name)))
        if len(code) == 5:
            queryset = queryset.filter(postal_codes__code=code).distinct()
        else:
            queryset = queryset.filter(departement_id=code)
        candidates = list(_with_details(_by_population(queryset))[:max_choices])
        if len(code) == 5:
            for commune in candidates:
                commune.matched_postal_code = code
        return _lookup(candidates, name)

    normalized = normalize_search(value)
    if len(normalized) < MIN_QUERY_LENGTH:
        return CommuneLookup()
    exact = Commune.objects.filter(search_name=normalized)
    if not exact.exists():
        exact = Commune.objects.filter(search_name__in=_name_variants(normalized))
    return _lookup(list(_with_details(_by_population(exact))[:max_choices]), value)
