"""La recherche du back-office : une seule boîte, quatre familles de résultats (candidat·es, employeur·ses,
entreprises, offres), toujours dans le territoire de la ou du conseiller·e (`scope`).

Ce que reconnaît la requête :
- un SIRET (14 chiffres) ou un SIREN (9 chiffres) : les entreprises, leurs membres et leurs offres ;
- un numéro de téléphone, sous n'importe quelle forme (« 06 12 34 56 78 », « +33 6… », « 0612345678 ») ;
- une adresse e-mail, ou son début ;
- sinon des mots : noms de personnes et d'entreprises, commune, métier d'une offre, sans accents ni casse,
  avec une faute de frappe.

Sous PostgreSQL, les noms passent par des index trigrammes (`pg_trgm`, voir la migration
`0005_search_indexes`) sur une forme sans accents (`cm_search_text`) : l'opérateur `<%` (similarité par mot)
tolère une faute et se sert de l'index. Sous SQLite, le chemin est plus simple : chaque mot de la requête
dans la forme normalisée (`core.text.normalize_search`), sans tolérance aux fautes ni index.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import phonenumbers
from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from backoffice import scope
from core.phone import format_phone
from core.text import normalize_search
from employers.enums import MembershipStatus
from geo.selectors import commune_search
from trades.models import Trade

LIMIT = 10  # résultats au plus par famille
MIN_LENGTH = 2
MAX_LENGTH = 100
_DIGITS = re.compile(r"[\d\s.\-+()/]+")


class SearchText(Func):
    """La forme de recherche d'un ou deux textes en base (« prénom nom ») : sans accents, en minuscules
    (fonction immuable, indexée)."""

    function = "cm_search_text"
    output_field = CharField()


class WordSimilar(Func):
    """Vrai si les mots de `query` se retrouvent dans `text`, à une faute près (`pg_trgm`, opérateur `<%`)."""

    template = "%(expressions)s"
    arg_joiner = " <%% "
    output_field = BooleanField()


class Contains(Func):
    """Sous SQLite : `text` contient `word` (sans tolérance aux fautes)."""

    function = "instr"
    template = "(%(function)s(%(expressions)s) > 0)"
    output_field = BooleanField()


def sqlite_search_text(*values) -> str:
    """`cm_search_text` sous SQLite (déclarée à chaque connexion, voir `backoffice.apps`)."""
    return normalize_search(" ".join(value or "" for value in values))


@dataclass
class Result:
    label: str
    url: str
    details: list[str] = field(default_factory=list)


@dataclass
class Results:
    kind: str  # "nom", "email", "telephone", "siret"
    candidates: list[Result] = field(default_factory=list)
    employers: list[Result] = field(default_factory=list)
    companies: list[Result] = field(default_factory=list)
    offers: list[Result] = field(default_factory=list)
    candidate_ids: list[int] = field(default_factory=list)
    employer_ids: list[int] = field(default_factory=list)

    @property
    def groups(self):
        return [
            ("candidats", "Candidat·es", self.candidates),
            ("employeurs", "Employeur·ses", self.employers),
            ("entreprises", "Entreprises", self.companies),
            ("offres", "Offres", self.offers),
        ]

    @property
    def count(self) -> int:
        return sum(len(items) for _, _, items in self.groups)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def parse_phone(query: str) -> str | None:
    """Le numéro au format international (comme il est enregistré), si la requête en est un."""
    if not _DIGITS.fullmatch(query) or sum(c.isdigit() for c in query) < 9:
        return None
    try:
        number = phonenumbers.parse(query, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _name_condition(fields: list[str], normalized: str) -> Q:
    """Les mots de la requête dans ces champs : trigrammes sous PostgreSQL (la même expression que l'index :
    `cm_search_text(prénom, nom)` ou `cm_search_text(nom)`), sous-chaîne ailleurs."""
    if _is_postgresql():
        return Q(WordSimilar(Value(normalized), SearchText(*(F(name) for name in fields))))
    condition = Q()
    for word in normalized.split():
        condition &= Q(Contains(SearchText(*(F(name) for name in fields)), Value(word)))
    return condition


def _candidate_result(advisor, profile) -> Result:
    user = profile.user
    details = [user.email, format_phone(user.phone), profile.commune.name if profile.commune else ""]
    trades = ", ".join(trade.label for trade in profile.trades.all())
    return Result(
        label=scope.candidate_name(advisor, profile),
        url=reverse("backoffice:candidate", args=[profile.pk]),
        details=[d for d in [*details, trades, profile.get_status_display()] if d],
    )


def _employer_result(user) -> Result:
    companies = [m.company for m in user.memberships.all() if m.status == MembershipStatus.APPROVED]
    company = companies[0] if companies else None
    return Result(
        label=user.get_full_name() or user.email,
        url=reverse("backoffice:company", args=[company.pk]) if company else "",
        details=[d for d in [user.email, format_phone(user.phone), ", ".join(c.name for c in companies)] if d],
    )


def _company_result(company) -> Result:
    return Result(
        label=company.name,
        url=reverse("backoffice:company", args=[company.pk]),
        details=[f"SIRET {company.siret}", company.commune.name, company.get_verification_status_display()],
    )


def _offer_result(offer) -> Result:
    return Result(
        label=f"{offer.trade.label} chez {offer.company.name}",
        url=reverse("backoffice:offer", args=[offer.pk]),
        details=[offer.commune.name, offer.get_status_display()],
    )


# Un nom courant correspond à des milliers de lignes : les trier toutes en base coûterait cher. On en lit au
# plus `POOL` sans ordre (la lecture s'arrête là), puis on garde les `LIMIT` plus proches de la requête.
POOL = 50


def _closest(items, normalized: str, text_of, limit=LIMIT) -> list:
    """Les `limit` éléments dont le texte ressemble le plus à la requête (mot pour mot d'abord)."""

    def key(item):
        text = normalize_search(text_of(item))
        return (-SequenceMatcher(None, normalized, text).ratio(), text)

    return sorted(items, key=key)[:limit]


def _profiles(queryset, limit=LIMIT, normalized: str = "") -> list:
    queryset = queryset.select_related("user", "commune").prefetch_related("trades")
    if not normalized:
        return list(queryset.order_by("user__last_name", "pk")[:limit])
    return _closest(list(queryset[:POOL]), normalized, lambda p: p.user.get_full_name(), limit)


def search(advisor, query: str) -> Results:
    """Les résultats de `query` dans le territoire de `advisor`, au plus `LIMIT` par famille."""
    query = (query or "").strip()[:MAX_LENGTH]
    candidates = scope.candidates_for(advisor)
    companies = scope.companies_for(advisor)
    offers = scope.offers_for(advisor)
    employers = User.objects.filter(
        role=Role.EMPLOYER,
        memberships__status=MembershipStatus.APPROVED,
        memberships__company__in=companies.values("pk"),
    )

    communes = []
    normalized = ""
    digits = re.sub(r"\D", "", query)
    phone = parse_phone(query)
    if len(digits) in (9, 14) and digits == re.sub(r"[\s.]", "", query):
        kind = "siret"
        siret = Q(siret=digits) if len(digits) == 14 else Q(siret__startswith=digits)
        companies = companies.filter(siret)
        employers = employers.filter(
            **{f"memberships__company__siret{'' if len(digits) == 14 else '__startswith'}": digits}
        )
        offers = offers.filter(company__in=companies.values("pk"))
        candidates = candidates.none()
    elif phone:
        kind = "telephone"
        candidates = candidates.filter(user__phone=phone)
        employers = employers.filter(phone=phone)
        companies = companies.none()
        offers = offers.none()
    elif "@" in query:
        kind = "email"
        email = query.lower()
        candidates = candidates.filter(user__email__startswith=email)
        employers = employers.filter(email__startswith=email)
        companies = companies.none()
        offers = offers.none()
    else:
        kind = "nom"
        normalized = normalize_search(query)
        if len(normalized) < MIN_LENGTH:
            return Results(kind=kind)
        communes = [commune.code for commune in commune_search(query, limit=5)]
        trades = [trade.pk for trade in Trade.objects.all() if normalized in normalize_search(trade.label)]
        # Deux requêtes plutôt qu'un OU entre deux tables : chacune garde son index.
        by_commune = candidates.filter(commune__in=communes)
        candidates = candidates.filter(_name_condition(["user__first_name", "user__last_name"], normalized))
        employers = employers.filter(_name_condition(["first_name", "last_name"], normalized))
        companies = companies.filter(_name_condition(["name"], normalized) | Q(commune__in=communes))
        # Des identifiants plutôt qu'une sous-requête : chaque branche du OU garde son index.
        company_ids = list(companies.values_list("pk", flat=True)[:POOL])
        offers = offers.filter(Q(trade__in=trades) | Q(company__in=company_ids) | Q(commune__in=communes))

    results = Results(kind=kind)
    profiles = _profiles(candidates, normalized=normalized if kind == "nom" else "")
    if kind == "nom" and len(profiles) < LIMIT and communes:
        profiles += _profiles(by_commune.exclude(pk__in=[p.pk for p in profiles]), LIMIT - len(profiles))
    results.candidates = [_candidate_result(advisor, profile) for profile in profiles]
    results.candidate_ids = [profile.pk for profile in profiles]
    users = User.objects.filter(pk__in=employers.values("pk")).prefetch_related("memberships__company")
    if kind == "nom":
        users = _closest(list(users[:POOL]), normalized, lambda user: user.get_full_name())
    else:
        users = list(users.order_by(Lower("last_name"), "pk")[:LIMIT])
    results.employers = [_employer_result(user) for user in users]
    results.employer_ids = [user.pk for user in users]
    companies = companies.select_related("commune")
    if kind == "nom":
        companies = _closest(list(companies[:POOL]), normalized, lambda company: company.name)
    else:
        companies = list(companies.order_by("name", "pk")[:LIMIT])
    results.companies = [_company_result(company) for company in companies]
    results.offers = [
        _offer_result(offer)
        for offer in offers.select_related("trade", "company", "commune").order_by("status", "-published_at", "pk")[
            :LIMIT
        ]
    ]
    return results
