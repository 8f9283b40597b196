"""Les listes de travail du tableau de bord, toutes lues à travers `scope` : filtres, tris et colonnes."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from backoffice import diagnostics, scope
from core.phone import format_phone
from matching.enums import OPEN_STATES, MatchState
from matching.models import Match
from notifications.models import UndeliverableAddress

WAITING_DAYS = 7
NEW_DAYS = 7  # « nouveaux cette semaine »
EXPIRING_DAYS = 14  # offres qui expirent bientôt
AWAITING_STATES = list(OPEN_STATES)
CONTACT_STATES = [MatchState.CONNECTED, MatchState.INTERVIEW]


def _date(value):
    return (
        timezone.localtime(value).strftime("%d/%m/%Y")
        if isinstance(value, datetime.datetime)
        else (value.strftime("%d/%m/%Y") if value else "")
    )


def _candidate_label(obj):
    """Le nom posé par `BoardList.annotate` (un pseudonyme hors du territoire, voir `scope.candidate_name`)."""
    return getattr(obj, "candidate_label", "")


@dataclass
class Column:
    key: str
    label: str
    value: object  # fonction : objet -> texte
    sort: str = ""  # champ de tri ; vide : colonne non triable
    link: object = None  # fonction : objet -> nom d'URL et pk


@dataclass
class BoardList:
    slug: str
    title: str
    description: str
    kind: str  # "candidate", "offer" ou "match"
    departement_field: str
    family_field: str
    default_sort: str
    columns: list[Column] = field(default_factory=list)
    personal: bool = True  # contient des noms : l'export est journalisé

    def base_queryset(self, advisor):
        raise NotImplementedError

    def queryset(self, advisor, *, departement="", family="", sort=""):
        queryset = self.base_queryset(advisor)
        if departement:
            queryset = queryset.filter(**{self.departement_field: departement})
        if family:
            queryset = queryset.filter(**{self.family_field: family}).distinct()
        sorts = {column.key: column.sort for column in self.columns if column.sort}
        key = sort.lstrip("-")
        order = sorts.get(key) or sorts[self.default_sort.lstrip("-")]
        descending = sort.startswith("-") if key in sorts else self.default_sort.startswith("-")
        return queryset.order_by(f"-{order}" if descending else order, "pk")

    diagnose = None  # fonction objets -> {pk: raison}, pour les listes qui expliquent une absence

    def annotate(self, objects, advisor):
        """Complète une page d'objets (raison du diagnostic, s'il y en a un ; nom ou pseudonyme de la ou du
        candidat·e selon le territoire de `advisor`) ; renvoie la liste."""
        objects = list(objects)
        if self.diagnose is not None:
            reasons = self.diagnose(objects)
            for obj in objects:
                obj.reason = reasons.get(obj.pk, "")
        if self.kind in ("candidate", "match"):
            for obj in objects:
                candidate = obj if self.kind == "candidate" else obj.candidate
                obj.candidate_label = scope.candidate_name(advisor, candidate)
        return objects

    def sort_keys(self):
        return {column.key for column in self.columns if column.sort}


class CandidatesWithoutMatch(BoardList):
    def base_queryset(self, advisor):
        return (
            scope.candidates_for(advisor)
            .searching()
            .filter(~Exists(Match.objects.filter(candidate=OuterRef("pk"), is_active=True)))
            .select_related("user", "commune")
            .prefetch_related("trades")
        )

    diagnose = staticmethod(diagnostics.candidates_reasons)


class OffersWithoutCandidate(BoardList):
    def base_queryset(self, advisor):
        return (
            scope.offers_for(advisor)
            .published()
            .filter(~Exists(Match.objects.filter(offer=OuterRef("pk"), is_active=True)))
            .select_related("company", "commune", "trade")
        )

    diagnose = staticmethod(diagnostics.offers_reasons)


class NewCandidates(BoardList):
    """Profils terminés ces 7 derniers jours, avec leurs premières mises en relation."""

    def base_queryset(self, advisor):
        since = timezone.now() - datetime.timedelta(days=NEW_DAYS)
        return (
            scope.candidates_for(advisor)
            .filter(is_complete=True, created_at__gte=since)
            .annotate(pairs=Count("matches", filter=Q(matches__is_active=True), distinct=True))
            .select_related("user", "commune")
            .prefetch_related("trades")
        )


class OffersExpiringWithoutCandidate(BoardList):
    """Offres publiées qui expirent dans les 14 jours sans mise en relation établie."""

    def base_queryset(self, advisor):
        soon = timezone.now() + datetime.timedelta(days=EXPIRING_DAYS)
        connected = Match.objects.filter(offer=OuterRef("pk"), state__in=CONTACT_STATES + [MatchState.CONTRACT_SIGNED])
        return (
            scope.offers_for(advisor)
            .published()
            .filter(expires_at__isnull=False, expires_at__lte=soon)
            .filter(~Exists(connected))
            .annotate(pairs=Count("matches", filter=Q(matches__is_active=True), distinct=True))
            .select_related("company", "commune", "trade")
        )


def _late_side(match) -> str:
    """Qui doit répondre à une paire en attente."""
    return {
        MatchState.PROPOSED: "les deux",
        MatchState.CANDIDATE_INTERESTED: "l'employeur",
        MatchState.EMPLOYER_INTERESTED: "le ou la jeune",
    }.get(match.state, "")


class CandidatesWithRefusedEmail(BoardList):
    """Candidat·es dont le serveur de messagerie refuse nos e-mails : l'outbox ne leur écrit plus."""

    def base_queryset(self, advisor):
        refusals = UndeliverableAddress.objects.filter(email__iexact=OuterRef("user__email"))
        return (
            scope.candidates_for(advisor)
            .filter(Exists(refusals))
            .annotate(email_refused_at=Subquery(refusals.values("refused_at")[:1]))
            .select_related("user", "commune")
            .prefetch_related("trades")
        )


class MatchList(BoardList):
    states: list = ()
    older_than_days: int = 0
    this_month: bool = False
    kit: bool = False  # avec les étapes de « Et maintenant ? » cochées et la dernière
    stalled: bool = False  # seulement les paires sans étape cochée depuis 10 jours (`Match.objects.stalled`)

    def base_queryset(self, advisor):
        queryset = (
            scope.matches_for(advisor)
            .filter(state__in=self.states)
            .select_related("candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune")
        )
        if self.older_than_days:
            queryset = queryset.filter(
                is_active=True, created_at__lt=timezone.now() - datetime.timedelta(days=self.older_than_days)
            )
        if self.this_month:
            start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            queryset = queryset.filter(outcome_at__gte=start)
        if self.stalled:
            queryset = queryset.stalled(timezone.now())
        elif self.kit:
            queryset = queryset.with_progress()
        if self.kit or self.stalled:
            queryset = queryset.annotate(steps_done=Count("steps"))
        return queryset


def _candidate_columns():
    return [
        Column("nom", "Candidat·e", _candidate_label, "user__last_name", lambda c: ("backoffice:candidate", c.pk)),
        Column("commune", "Commune", lambda c: str(c.commune), "commune__name"),
        Column("metiers", "Métiers", lambda c: ", ".join(t.label for t in c.trades.all())),
        Column("niveau", "Niveau", lambda c: c.level, "level"),
        Column("inscription", "Inscrit·e le", lambda c: _date(c.created_at), "created_at"),
        Column("raison", "Pourquoi aucune mise en relation", lambda c: getattr(c, "reason", "")),
    ]


def _offer_columns():
    return [
        Column(
            "entreprise", "Entreprise", lambda o: o.company.name, "company__name", lambda o: ("backoffice:offer", o.pk)
        ),
        Column("metier", "Métier", lambda o: o.trade.label, "trade__label"),
        Column("commune", "Lieu", lambda o: str(o.commune), "commune__name"),
        Column("debut", "Début", lambda o: _date(o.start_date) or "Dès que possible", "start_date"),
        Column("publication", "Publiée le", lambda o: _date(o.published_at), "published_at"),
        Column("raison", "Pourquoi personne", lambda o: getattr(o, "reason", "")),
    ]


def _match_columns(date_label, date_field):
    return [
        Column(
            "candidat",
            "Candidat·e",
            _candidate_label,
            "candidate__user__last_name",
            lambda m: ("backoffice:match", m.pk),
        ),
        Column("entreprise", "Entreprise", lambda m: m.offer.company.name, "offer__company__name"),
        Column("metier", "Métier", lambda m: m.offer.trade.label, "offer__trade__label"),
        Column("etat", "État", lambda m: m.get_state_display(), "state"),
        Column("depuis", date_label, lambda m: _date(getattr(m, date_field)), date_field),
    ]


def _kit_columns():
    return [
        Column("etapes", "Étapes cochées", lambda m: m.steps_done, "steps_done"),
        Column("progres", "Dernière étape le", lambda m: _date(m.last_progress_at), "last_progress_at"),
    ]


def _match_list(slug, title, description, states, date_label, date_field, default_sort, extra=(), **options):
    board = MatchList(
        slug=slug,
        title=title,
        description=description,
        kind="match",
        departement_field="offer__commune__departement",
        family_field="offer__trade__family",
        default_sort=default_sort,
        columns=_match_columns(date_label, date_field) + list(extra) + (_kit_columns() if options.get("kit") else []),
    )
    board.states = states
    for name, value in options.items():
        setattr(board, name, value)
    return board


BOARD_LISTS = {
    board.slug: board
    for board in [
        NewCandidates(
            slug="nouveaux-candidats",
            title="Nouveaux profils de la semaine",
            description="Profils terminés ces 7 derniers jours et leurs premières mises en relation.",
            kind="candidate",
            departement_field="commune__departement",
            family_field="trades__family",
            default_sort="-inscription",
            columns=[
                *_candidate_columns()[:5],
                Column("paires", "Premières mises en relation", lambda c: str(c.pairs), "pairs"),
            ],
        ),
        CandidatesWithoutMatch(
            slug="candidats-sans-mise-en-relation",
            title="Candidat·es sans mise en relation",
            description="Profils en recherche sans aucune paire active, et pourquoi.",
            kind="candidate",
            departement_field="commune__departement",
            family_field="trades__family",
            default_sort="inscription",
            columns=_candidate_columns(),
        ),
        OffersWithoutCandidate(
            slug="offres-sans-candidat",
            title="Offres sans candidat·e",
            description="Offres publiées sans aucune paire active, et pourquoi.",
            kind="offer",
            departement_field="commune__departement",
            family_field="trade__family",
            default_sort="publication",
            columns=_offer_columns(),
            personal=False,
        ),
        OffersExpiringWithoutCandidate(
            slug="offres-qui-expirent",
            title="Offres qui expirent sans candidat·e",
            description=(
                "Offres qui expirent dans les 14 jours sans mise en relation établie : à relancer ou prolonger."
            ),
            kind="offer",
            departement_field="commune__departement",
            family_field="trade__family",
            default_sort="expiration",
            columns=[
                *_offer_columns()[:3],
                Column("expiration", "Expire le", lambda o: _date(o.expires_at), "expires_at"),
                Column("paires", "Mises en relation proposées", lambda o: str(o.pairs), "pairs"),
            ],
            personal=False,
        ),
        CandidatesWithRefusedEmail(
            slug="e-mails-refuses",
            title="Candidat·es sans e-mails",
            description=(
                "Leur serveur de messagerie refuse nos e-mails : ils ne reçoivent plus d'alertes. "
                "À joindre autrement (téléphone, CFA)."
            ),
            kind="candidate",
            departement_field="commune__departement",
            family_field="trades__family",
            default_sort="-refus",
            columns=[
                *_candidate_columns()[:3],
                Column("telephone", "Téléphone", lambda c: format_phone(c.user.phone)),
                Column("refus", "E-mails refusés depuis le", lambda c: _date(c.email_refused_at), "email_refused_at"),
            ],
        ),
        _match_list(
            "en-attente",
            "En attente de réponse depuis plus de 7 jours",
            "Paires proposées ou à moitié acceptées, sans nouvelle depuis une semaine : à relancer.",
            AWAITING_STATES,
            "Proposée le",
            "created_at",
            "depuis",
            extra=[Column("attente", "En attente de", _late_side)],
            older_than_days=WAITING_DAYS,
        ),
        _match_list(
            "contacts-en-cours",
            "Contacts en cours",
            "Mises en relation établies et entretiens.",
            CONTACT_STATES,
            "Mis à jour le",
            "updated_at",
            "-depuis",
            kit=True,
        ),
        _match_list(
            "contrats-en-panne",
            "En relation, sans étape depuis 10 jours",
            "Paires en relation dont aucune étape vers le contrat n'a été cochée depuis 10 jours : une relance leur "
            "est partie, un appel peut les débloquer.",
            CONTACT_STATES,
            "Mis à jour le",
            "updated_at",
            "progres",
            kit=True,
            stalled=True,
        ),
        _match_list(
            "contrats-du-mois",
            "Contrats signés ce mois-ci",
            "Les contrats signés depuis le 1er du mois.",
            [MatchState.CONTRACT_SIGNED],
            "Signé le",
            "outcome_at",
            "-depuis",
            this_month=True,
        ),
    ]
}
