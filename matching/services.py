"""Mise en relation : calcul incrémental des paires, états du contact et alertes.

- `schedule_rematch_for_offer` / `schedule_rematch_for_candidate` : à appeler après tout changement d'une
  offre ou d'un profil ; la tâche part après le commit.
- `rematch_offer` / `rematch_candidate` : recalculent seulement les paires de l'offre ou du profil.
- `rematch_all` : tout recalculer (après un import, un changement de règles).
- `match_candidate_answer`, `match_employer_answer`, `match_set_outcome`, `match_propose_by_hand` : les
  seules écritures de l'état du contact (table `TRANSITIONS`).
"""

import datetime
import functools
import json
import logging
import time
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from candidates.enums import RADIUS_CHOICES, NotificationFrequency
from candidates.models import CandidateProfile
from geo.distance import commune_index, communes_within, distance_km
from matching import cells, rules
from matching.enums import OPEN_STATES, MatchState, NoInterestReason, Side
from matching.models import CandidateTradeIndex, Match, OfferIndex
from notifications.services import email_enqueue
from offers.enums import OfferStatus
from offers.models import Offer
from trades.models import Trade

logger = logging.getLogger(__name__)

REMINDER_AFTER = datetime.timedelta(days=7)
EXPIRE_AFTER = datetime.timedelta(days=21)
# Bornes des anneaux de distance pour la recherche des candidat·es d'une offre (rayons proposés).
RADIUS_BANDS = tuple(sorted(value for value, _ in RADIUS_CHOICES))
BATCH = 2000


class MatchTransitionError(Exception):
    """Changement d'état impossible ; le message (en français) peut être montré tel quel."""


# --- Faits pour les règles ------------------------------------------------------------------------


def _contract_set(values) -> frozenset:
    return frozenset(values or ())


def offer_facts(offer: Offer) -> rules.OfferFacts:
    return rules.OfferFacts(
        id=offer.pk,
        commune_code=offer.commune_id,
        trade_id=offer.trade_id,
        trade_label=offer.trade.label,
        levels=tuple(offer.levels or ()),
        contract_types=_contract_set(offer.contract_types),
        start_date=offer.start_date,
        accepts_minors=offer.accepts_minors,
        published=offer.status == OfferStatus.PUBLISHED,
        published_at=offer.published_at,
        trade_active=offer.trade.is_active,
    )


OFFER_FIELDS = (
    "pk",
    "commune_id",
    "trade_id",
    "trade__label",
    "levels",
    "contract_types",
    "start_date",
    "accepts_minors",
    "published_at",
    "trade__is_active",
)


def _offer_facts_from_row(row) -> rules.OfferFacts:
    pk, commune, trade, label, levels, contracts, start, minors, published_at, trade_active = row
    return rules.OfferFacts(
        id=pk,
        commune_code=commune,
        trade_id=trade,
        trade_label=label,
        levels=tuple(levels or ()),
        contract_types=_contract_set(contracts),
        start_date=start,
        accepts_minors=minors,
        published=True,
        published_at=published_at,
        trade_active=trade_active,
    )


def candidate_facts(profile: CandidateProfile, trade_ids, *, searching: bool) -> rules.CandidateFacts:
    return rules.CandidateFacts(
        id=profile.pk,
        commune_code=profile.commune_id,
        radius_km=profile.radius_km,
        trade_ids=frozenset(trade_ids),
        level=profile.level or "",
        contract_types=_contract_set(profile.contract_types),
        available_from=profile.available_from,
        birth_date=profile.birth_date,
        age_exception=bool(getattr(profile, "age_exception", False)),
        searching=searching,
    )


INDEX_FIELDS = (
    "candidate_id",
    "trade_id",
    "commune_code",
    "radius_km",
    "level",
    "contract_types",
    "available_from",
    "birth_date",
    "age_exception",
)


def _candidate_facts_from_index(row) -> rules.CandidateFacts:
    candidate, trade, commune, radius, level, contracts, available, birth, exception = row
    return rules.CandidateFacts(
        id=candidate,
        commune_code=commune,
        radius_km=radius,
        trade_ids=frozenset((trade,)),
        level=level,
        contract_types=_contract_set(contracts),
        available_from=available,
        birth_date=birth,
        age_exception=exception,
    )


# --- Recherche des paires -------------------------------------------------------------------------


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _aware(value):
    return value.replace(tzinfo=datetime.UTC) if value is not None and value.tzinfo is None else value


def _raw_rows(model, fields, where: str, params: list):
    """Lignes d'un index en SQL direct (le coût de construction d'une requête ORM dépasserait celui de la
    requête elle-même) ; JSON et dates convertis comme le ferait l'ORM."""
    columns = ", ".join(model._meta.get_field(name.removesuffix("_id")).column for name in fields)
    sql = f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}"  # noqa: S608 (noms du modèle, valeurs liées)
    json_positions = [i for i, name in enumerate(fields) if name in ("levels", "contract_types")]
    datetime_positions = [i for i, name in enumerate(fields) if name == "published_at"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            if json_positions or datetime_positions:
                row = list(row)
                for i in json_positions:
                    row[i] = _json(row[i])
                for i in datetime_positions:
                    row[i] = _aware(row[i])
            yield tuple(row)


def radius_band(radius_km: int) -> int:
    """Le plus petit rayon proposé qui couvre `radius_km` (la recherche par cases se fait par rayon proposé)."""
    return next((band for band in RADIUS_BANDS if radius_km <= band), RADIUS_BANDS[-1])


def _cells_where(lat: float, lng: float, trade_id: int) -> tuple[str, list]:
    """Clause SQL : pour chaque rayon proposé R, les cases à R km ou moins de (lat, lng), en intervalles.

    Chaque terme du OU est complet (métier, rayon, intervalle) : l'index (trade, radius_band, cell) sert
    pour chacun, sur SQLite comme sur PostgreSQL.
    """
    terms, params = [], []
    for band in RADIUS_BANDS:
        for first, last in cells.cell_ranges(lat, lng, band):
            terms.append("(trade_id = %s AND radius_band = %s AND cell BETWEEN %s AND %s)")
            params += [trade_id, band, first, last]
    return "(" + " OR ".join(terms) + ")", params


def offer_candidate_pool(facts: rules.OfferFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les candidat·es qui correspondent à l'offre : {id du profil: Fit}.

    L'index des candidat·es par métier, rayon et case de 0,1° (quelques intervalles de cases par rayon),
    puis la distance exacte entre communes (index en mémoire de `geo.distance`), puis les règles.
    """
    now = timezone.localtime(now)
    if not facts.published or not facts.trade_active:
        return {}
    index = commune_index()
    location = index.location(facts.commune_code) if facts.commune_code else None
    if location is None:
        logger.warning("Offre %s : commune %s sans coordonnées, aucune paire.", facts.id, facts.commune_code)
        return {}
    where, params = _cells_where(*location, facts.trade_id)
    if facts.levels:
        where += " AND level IN (" + ", ".join(["%s"] * len(facts.levels)) + ")"
        params += list(facts.levels)
    if facts.start_date:
        # start >= disponibilité - 1 mois  <=>  disponibilité <= start + 1 mois (au plus 31 jours)
        where += " AND available_from <= %s"
        params.append((facts.start_date + datetime.timedelta(days=31)).isoformat())
    fits = {}
    distance = index.distance_km
    for row in _raw_rows(CandidateTradeIndex, INDEX_FIELDS, where, params):
        candidate = _candidate_facts_from_index(row)
        fit = rules.evaluate(candidate, facts, distance(candidate.commune_code, location), now)
        if fit is not None:
            fits[candidate.id] = fit
    return fits


OFFER_INDEX_FIELDS = (
    "offer_id",
    "commune_code",
    "trade_id",
    "levels",
    "contract_types",
    "start_date",
    "accepts_minors",
    "published_at",
)


def candidate_offer_pool(facts: rules.CandidateFacts, *, now=None) -> dict[int, rules.Fit]:
    """Les offres publiées qui correspondent au profil : {id de l'offre: Fit}.

    L'index des offres par métier et case de 0,1° (un intervalle de cases par bande de latitude), puis la
    distance exacte entre communes, puis les règles.
    """
    now = timezone.localtime(now)
    if not facts.searching or not facts.trade_ids:
        return {}
    index = commune_index()
    location = index.location(facts.commune_code) if facts.commune_code else None
    if location is None:
        logger.warning("Profil %s : commune %s sans coordonnées, aucune paire.", facts.id, facts.commune_code)
        return {}
    trades = {
        pk: (label, active)
        for pk, label, active in Trade.objects.filter(pk__in=facts.trade_ids).values_list("pk", "label", "is_active")
    }
    terms, params = [], []
    for trade_id, (_, active) in trades.items():
        if active:
            for first, last in cells.cell_ranges(*location, facts.radius_km):
                terms.append("(trade_id = %s AND cell BETWEEN %s AND %s)")
                params += [trade_id, first, last]
    if not terms:
        return {}
    fits = {}
    distance = index.distance_km
    rows = _raw_rows(OfferIndex, OFFER_INDEX_FIELDS, "(" + " OR ".join(terms) + ")", params)
    for offer_id, commune, trade_id, levels, contracts, start, minors, published_at in rows:
        offer = rules.OfferFacts(
            id=offer_id,
            commune_code=commune,
            trade_id=trade_id,
            trade_label=trades[trade_id][0],
            levels=tuple(levels or ()),
            contract_types=_contract_set(contracts),
            start_date=start,
            accepts_minors=minors,
            published_at=published_at,
        )
        fit = rules.evaluate(facts, offer, distance(location, commune), now)
        if fit is not None:
            fits[offer_id] = fit
    return fits


def offer_index_sync(*, offer: Offer) -> bool:
    """Met l'offre dans l'index si elle est publiée, localisée et d'un métier au catalogue ; sinon l'en retire."""
    OfferIndex.objects.filter(offer_id=offer.pk).delete()
    row = _offer_index_row(offer_facts(offer))
    if row is not None:
        OfferIndex.objects.bulk_create([row], ignore_conflicts=True)
    return row is not None


def _offer_index_row(facts: rules.OfferFacts) -> "OfferIndex | None":
    if not (facts.published and facts.trade_active and facts.commune_code):
        return None
    location = commune_index().location(facts.commune_code)
    if location is None:
        return None
    return OfferIndex(
        offer_id=facts.id,
        trade_id=facts.trade_id,
        commune_code=facts.commune_code,
        cell=cells.cell_of(*location),
        levels=list(facts.levels),
        contract_types=sorted(facts.contract_types),
        start_date=facts.start_date,
        accepts_minors=facts.accepts_minors,
        published_at=facts.published_at,
    )


def offer_index_rebuild() -> int:
    OfferIndex.objects.all().delete()
    made = 0
    batch = []
    for row in Offer.objects.published().values_list(*OFFER_FIELDS).iterator(chunk_size=BATCH * 5):
        index_row = _offer_index_row(_offer_facts_from_row(row))
        if index_row is not None:
            batch.append(index_row)
        if len(batch) >= BATCH * 5:
            OfferIndex.objects.bulk_create(batch, batch_size=BATCH, ignore_conflicts=True)
            made += len(batch)
            batch = []
    OfferIndex.objects.bulk_create(batch, batch_size=BATCH, ignore_conflicts=True)
    return made + len(batch)


def offer_candidate_pool_by_scan(facts: rules.OfferFacts, *, now=None) -> dict[int, rules.Fit]:
    """La même chose par un parcours de tous les profils (référence des tests et des mesures)."""
    now = timezone.localtime(now)
    through = CandidateProfile.trades.through
    trades = defaultdict(set)
    for profile_id, trade_id in through.objects.values_list("candidateprofile_id", "trade_id").iterator(
        chunk_size=BATCH * 5
    ):
        trades[profile_id].add(trade_id)
    fits = {}
    for profile in CandidateProfile.objects.searching().iterator(chunk_size=BATCH):
        candidate = candidate_facts(profile, trades.get(profile.pk, ()), searching=True)
        fit = rules.evaluate(candidate, facts, distance_km(candidate.commune_code, facts.commune_code), now)
        if fit is not None:
            fits[candidate.id] = fit
    return fits


def candidate_offer_pool_by_scan(facts: rules.CandidateFacts, *, now=None) -> dict[int, rules.Fit]:
    now = timezone.localtime(now)
    fits = {}
    for row in Offer.objects.published().values_list(*OFFER_FIELDS).iterator(chunk_size=BATCH):
        offer = _offer_facts_from_row(row)
        fit = rules.evaluate(facts, offer, distance_km(facts.commune_code, offer.commune_code), now)
        if fit is not None:
            fits[offer.id] = fit
    return fits


# --- Index des candidat·es ------------------------------------------------------------------------


def _is_searching(profile_id: int) -> bool:
    return CandidateProfile.objects.searching().filter(pk=profile_id).exists()


def _index_rows(profile: CandidateProfile, trade_ids) -> list[CandidateTradeIndex]:
    if not (profile.commune_id and profile.level and profile.available_from and profile.birth_date):
        return []
    location = commune_index().location(profile.commune_id)
    if location is None:
        logger.warning("Profil %s : commune %s sans coordonnées, aucune paire.", profile.pk, profile.commune_id)
        return []
    return [
        CandidateTradeIndex(
            candidate_id=profile.pk,
            trade_id=trade_id,
            commune_code=profile.commune_id,
            cell=cells.cell_of(*location),
            radius_band=radius_band(profile.radius_km),
            radius_km=profile.radius_km,
            level=profile.level,
            contract_types=list(profile.contract_types or []),
            available_from=profile.available_from,
            birth_date=profile.birth_date,
            age_exception=bool(getattr(profile, "age_exception", False)),
        )
        for trade_id in sorted(trade_ids)
    ]


def candidate_index_sync(*, profile: CandidateProfile, trade_ids, searching: bool) -> int:
    """Remplace les lignes d'index du profil (aucune s'il ne cherche pas ou est incomplet) ; renvoie leur nombre."""
    CandidateTradeIndex.objects.filter(candidate_id=profile.pk).delete()
    rows = _index_rows(profile, trade_ids) if searching else []
    CandidateTradeIndex.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Écriture des paires --------------------------------------------------------------------------


def _sync_pairs(*, fits: dict[tuple[int, int], rules.Fit], existing, now, notify: bool) -> dict:
    """Crée, met à jour, désactive les paires de `existing` (QuerySet) selon `fits` {(profil, offre): Fit}."""
    current = {
        (candidate, offer): (pk, active, score, dist, reasons)
        for pk, candidate, offer, active, score, dist, reasons in existing.values_list(
            "pk", "candidate_id", "offer_id", "is_active", "score", "distance_km", "reasons"
        )
    }
    to_create, to_update, to_deactivate = [], [], []
    for key, fit in fits.items():
        reasons = list(fit.reasons)
        if key not in current:
            to_create.append(
                Match(
                    candidate_id=key[0],
                    offer_id=key[1],
                    score=fit.score,
                    distance_km=fit.distance_km,
                    reasons=reasons,
                    created_at=now,
                    candidate_alerted=not notify,
                    employer_alerted=not notify,
                )
            )
            continue
        pk, active, score, dist, old_reasons = current[key]
        if not active or score != fit.score or dist != fit.distance_km or old_reasons != reasons:
            to_update.append(
                Match(
                    pk=pk, is_active=True, score=fit.score, distance_km=fit.distance_km, reasons=reasons, updated_at=now
                )
            )
    for key, (pk, active, *_) in current.items():
        if active and key not in fits:
            to_deactivate.append(pk)
    # ignore_conflicts : une autre tâche a pu créer la même paire entre-temps (contrainte d'unicité).
    Match.objects.bulk_create(to_create, batch_size=BATCH, ignore_conflicts=True)
    Match.objects.bulk_update(
        to_update, ["is_active", "score", "distance_km", "reasons", "updated_at"], batch_size=BATCH
    )
    for start in range(0, len(to_deactivate), BATCH):
        Match.objects.filter(pk__in=to_deactivate[start : start + BATCH]).update(is_active=False, updated_at=now)
    return {"created": len(to_create), "updated": len(to_update), "deactivated": len(to_deactivate)}


@transaction.atomic
def rematch_offer(offer_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index de l'offre puis recalcule ses paires (idempotent) ; alerte pour les nouvelles paires."""
    offer = Offer.objects.select_related("trade").filter(pk=offer_id).first()
    if offer is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    offer_index_sync(offer=offer)
    now = timezone.now()
    fits = {
        (candidate_id, offer.pk): fit for candidate_id, fit in offer_candidate_pool(offer_facts(offer), now=now).items()
    }
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(offer_id=offer.pk), now=now, notify=notify)
    if notify:
        _alert_new_pairs(Match.objects.filter(offer_id=offer.pk))
    return counts


@transaction.atomic
def rematch_candidate(candidate_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index du profil puis recalcule ses paires (idempotent)."""
    profile = CandidateProfile.objects.filter(pk=candidate_id).first()
    if profile is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    searching = _is_searching(profile.pk)
    trade_ids = set(profile.trades.values_list("pk", flat=True))
    indexed = candidate_index_sync(profile=profile, trade_ids=trade_ids, searching=searching)
    now = timezone.now()
    facts = candidate_facts(profile, trade_ids, searching=searching)
    pool = candidate_offer_pool(facts, now=now) if indexed else {}
    fits = {(profile.pk, offer_id): fit for offer_id, fit in pool.items()}
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(candidate_id=profile.pk), now=now, notify=notify)
    if notify:
        _alert_new_pairs(Match.objects.filter(candidate_id=profile.pk))
    return counts


def _enqueue_task(name: str, object_id: int) -> None:
    from matching import tasks

    getattr(tasks, name).enqueue(object_id)


def schedule_rematch_for_offer(offer) -> None:
    """Recalcule les paires de l'offre en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(_enqueue_task, "rematch_offer", offer.pk))


def schedule_rematch_for_candidate(candidate_profile) -> None:
    """Recalcule les paires du profil en tâche de fond, après le commit."""
    transaction.on_commit(functools.partial(_enqueue_task, "rematch_candidate", candidate_profile.pk))


# --- Tout recalculer ------------------------------------------------------------------------------


def candidate_index_rebuild(*, progress=None) -> int:
    """Reconstruit l'index des candidat·es en recherche ; renvoie le nombre de lignes."""
    through = CandidateProfile.trades.through
    CandidateTradeIndex.objects.all().delete()
    searching = CandidateProfile.objects.searching()
    total = searching.count()
    done = made = 0
    # Par tranches de clés primaires : ni tri ni décalage, chaque tranche est lue une fois.
    last_pk = CandidateProfile.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last_pk, BATCH):
        profiles = list(searching.filter(pk__gt=start, pk__lte=start + BATCH))
        if not profiles:
            continue
        trades = defaultdict(set)
        for profile_id, trade_id in through.objects.filter(
            candidateprofile_id__in=[p.pk for p in profiles]
        ).values_list("candidateprofile_id", "trade_id"):
            trades[profile_id].add(trade_id)
        rows = [row for profile in profiles for row in _index_rows(profile, trades[profile.pk])]
        CandidateTradeIndex.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        done += len(profiles)
        made += len(rows)
        if progress:
            progress(f"index des candidat·es : {done}/{total}")
    return made


def rematch_all(*, progress=None, notify: bool = True) -> dict:
    """Recalcule toutes les paires : index des candidat·es, puis les offres publiées en mémoire, par groupes
    de profils de même commune et même rayon (une seule recherche de communes par groupe)."""
    started = time.monotonic()
    say = progress or (lambda message: None)
    now = timezone.now()
    local_now = timezone.localtime(now)
    candidate_index_rebuild(progress=progress)
    say(f"index des offres : {offer_index_rebuild()} offres")
    offers_by_commune = defaultdict(lambda: defaultdict(list))
    published = Offer.objects.published().values_list(*OFFER_FIELDS)
    offer_count = 0
    for row in published.iterator(chunk_size=BATCH * 5):
        offer = _offer_facts_from_row(row)
        if offer.trade_active:
            offers_by_commune[offer.commune_code][offer.trade_id].append(offer)
            offer_count += 1
    say(f"offres publiées en mémoire : {offer_count}")
    totals = {"created": 0, "updated": 0, "deactivated": 0, "pairs": 0}
    rows = CandidateTradeIndex.objects.order_by("commune_code", "radius_km", "candidate_id").values_list(*INDEX_FIELDS)
    total_rows = CandidateTradeIndex.objects.count()
    pending_fits: dict = {}
    pending_candidates: set = set()
    group_key, group_rows = None, []

    def flush_group():
        if not group_rows:
            return
        commune, radius = group_key
        trades = {row[1] for row in group_rows}
        near = defaultdict(list)  # métier -> [(offre, km)]
        for code, km in communes_within(commune, radius):
            by_trade = offers_by_commune.get(code)
            if by_trade:
                for trade in trades.intersection(by_trade):
                    near[trade].extend((offer, km) for offer in by_trade[trade])
        for row in group_rows:
            candidate = _candidate_facts_from_index(row)
            pending_candidates.add(candidate.id)
            for offer, km in near.get(row[1], ()):
                fit = rules.evaluate(candidate, offer, km, local_now)
                if fit is not None:
                    pending_fits[(candidate.id, offer.id)] = fit

    def flush_pairs():
        if not pending_candidates:
            return
        ids = list(pending_candidates)
        with transaction.atomic():
            counts = _sync_pairs(
                fits=pending_fits, existing=Match.objects.filter(candidate_id__in=ids), now=now, notify=notify
            )
            if notify:
                _alert_new_pairs(Match.objects.filter(candidate_id__in=ids, created_at=now))
        for key, value in counts.items():
            totals[key] += value
        totals["pairs"] += len(pending_fits)
        pending_fits.clear()
        pending_candidates.clear()

    for seen_rows, row in enumerate(rows.iterator(chunk_size=BATCH * 5), start=1):
        key = (row[2], row[3])
        if key != group_key:
            flush_group()
            group_key, group_rows = key, []
            if len(pending_candidates) >= BATCH * 5:
                flush_pairs()
                elapsed = time.monotonic() - started
                say(f"paires : {seen_rows}/{total_rows} lignes, {totals['pairs']} paires ({elapsed:.0f} s)")
        group_rows.append(row)
    flush_group()
    flush_pairs()
    # Profils qui ne cherchent plus (ou sans ligne d'index) : leurs paires actives ne correspondent plus.
    stale = Match.objects.filter(is_active=True).exclude(
        candidate_id__in=CandidateTradeIndex.objects.values("candidate_id")
    )
    totals["deactivated"] += stale.update(is_active=False, updated_at=now)
    stale_offers = Match.objects.filter(is_active=True).exclude(offer__status=OfferStatus.PUBLISHED)
    totals["deactivated"] += stale_offers.update(is_active=False, updated_at=now)
    totals["seconds"] = round(time.monotonic() - started, 1)
    say(f"terminé : {totals}")
    return totals


# --- Alertes --------------------------------------------------------------------------------------


def _key(event: str, user_id: int, match_id: int) -> str:
    return f"matching:{event}:u{user_id}:m{match_id}"


def _match_context(match: Match) -> dict:
    offer = match.offer
    return {
        "match": match,
        "offer": offer,
        "trade": offer.trade.label,
        "company": offer.company.name,
        "place": offer.commune.name,
        "reasons": match.reasons,
        "candidate_commune": match.candidate.commune.name if match.candidate.commune_id else "",
    }


def _members(offer):
    return [user for user in offer.company.members.all() if user.is_active and user.email]


def _email_candidate(match: Match, event: str, extra: dict | None = None) -> None:
    user = match.candidate.user
    email_enqueue(
        key=_key(event, user.pk, match.pk),
        to=user.email,
        template=f"matching/emails/{event}",
        context={**_match_context(match), **(extra or {})},
    )


def _email_employer(match: Match, event: str, extra: dict | None = None) -> None:
    for user in _members(match.offer):
        email_enqueue(
            key=_key(event, user.pk, match.pk),
            to=user.email,
            template=f"matching/emails/{event}",
            context={**_match_context(match), "member": user, **(extra or {})},
        )


def _with_relations(queryset):
    return queryset.select_related(
        "candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune"
    ).prefetch_related("offer__company__members")


def _alert_new_pairs(queryset) -> int:
    """Alerte chaque côté des nouvelles paires pas encore annoncées (une fois par paire et par personne)."""
    pending = _with_relations(
        queryset.filter(is_active=True, state=MatchState.PROPOSED).filter(
            Q(candidate_alerted=False) | Q(employer_alerted=False)
        )
    )
    sent = 0
    candidate_done, employer_done = [], []
    for match in pending.iterator(chunk_size=500):
        if not match.candidate_alerted:
            frequency = match.candidate.notification_frequency
            if frequency == NotificationFrequency.IMMEDIATE:
                _email_candidate(match, "new_offer")
                sent += 1
            if frequency != NotificationFrequency.DAILY:  # le résumé quotidien s'en charge
                candidate_done.append(match.pk)
        if not match.employer_alerted:
            _email_employer(match, "new_candidate")
            employer_done.append(match.pk)
            sent += 1
    Match.objects.filter(pk__in=candidate_done).update(candidate_alerted=True)
    Match.objects.filter(pk__in=employer_done).update(employer_alerted=True)
    return sent


@transaction.atomic
def send_daily_digests(*, now=None) -> int:
    """Un résumé par jour aux candidat·es « quotidien » : les nouvelles offres du jour, en un e-mail."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = _with_relations(
        Match.objects.filter(
            is_active=True,
            state=MatchState.PROPOSED,
            candidate_alerted=False,
            candidate__notification_frequency=NotificationFrequency.DAILY,
        )
    ).order_by("candidate_id", "-score")
    by_candidate = defaultdict(list)
    for match in pending:
        by_candidate[match.candidate_id].append(match)
    for matches in by_candidate.values():
        user = matches[0].candidate.user
        email_enqueue(
            key=f"matching:digest:u{user.pk}:{day.isoformat()}",
            to=user.email,
            template="matching/emails/digest",
            context={"matches": [_match_context(match) for match in matches[:10]], "count": len(matches)},
        )
        Match.objects.filter(pk__in=[match.pk for match in matches]).update(candidate_alerted=True)
    return len(by_candidate)


# --- États du contact -----------------------------------------------------------------------------

# (état, événement) -> nouvel état. Tout le reste est refusé.
TRANSITIONS = {
    (MatchState.PROPOSED, "candidate_yes"): MatchState.CANDIDATE_INTERESTED,
    (MatchState.EMPLOYER_INTERESTED, "candidate_yes"): MatchState.CONNECTED,
    (MatchState.PROPOSED, "candidate_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.EMPLOYER_INTERESTED, "candidate_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.PROPOSED, "employer_yes"): MatchState.EMPLOYER_INTERESTED,
    (MatchState.CANDIDATE_INTERESTED, "employer_yes"): MatchState.CONNECTED,
    (MatchState.PROPOSED, "employer_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.CANDIDATE_INTERESTED, "employer_no"): MatchState.NO_FOLLOW_UP,
    (MatchState.CONNECTED, "interview"): MatchState.INTERVIEW,
    (MatchState.CONNECTED, "signed"): MatchState.CONTRACT_SIGNED,
    (MatchState.INTERVIEW, "signed"): MatchState.CONTRACT_SIGNED,
    (MatchState.CONNECTED, "no_follow_up"): MatchState.NO_FOLLOW_UP,
    (MatchState.INTERVIEW, "no_follow_up"): MatchState.NO_FOLLOW_UP,
    (MatchState.PROPOSED, "expire"): MatchState.EXPIRED,
}
OUTCOME_EVENTS = {
    MatchState.INTERVIEW: "interview",
    MatchState.CONTRACT_SIGNED: "signed",
    MatchState.NO_FOLLOW_UP: "no_follow_up",
}
ERRORS = {
    MatchState.CONNECTED: "Vous êtes déjà en relation.",
    MatchState.INTERVIEW: "Un entretien est déjà prévu.",
    MatchState.CONTRACT_SIGNED: "Le contrat est déjà signé.",
    MatchState.NO_FOLLOW_UP: "Cette mise en relation n'a pas eu de suite.",
    MatchState.EXPIRED: "Cette mise en relation a expiré faute de réponse.",
}


def _transition(match: Match, event: str) -> MatchState:
    target = TRANSITIONS.get((MatchState(match.state), event))
    if target is None:
        if event.startswith(("candidate_", "employer_")) and match.state in (
            MatchState.CANDIDATE_INTERESTED,
            MatchState.EMPLOYER_INTERESTED,
        ):
            raise MatchTransitionError("Vous avez déjà répondu.")
        if event in ("interview", "signed", "no_follow_up") and match.state in OPEN_STATES:
            raise MatchTransitionError("Possible seulement une fois en relation.")
        raise MatchTransitionError(ERRORS.get(match.state, "Ce changement n'est pas possible."))
    if match.state in OPEN_STATES and not match.is_active and event.endswith("_yes"):
        raise MatchTransitionError("Cette offre ne correspond plus à ce profil.")
    return target


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))  # la commune du profil peut être vide (jointure externe)
        .select_related("candidate__user", "candidate__commune", "offer__company", "offer__trade", "offer__commune")
        .get(pk=match.pk)
    )


def _connect(match: Match, now) -> None:
    match.connected_at = now
    _email_candidate(match, "connected_candidate", {"members": _members(match.offer)})
    _email_employer(match, "connected_employer", {"candidate": match.candidate, "candidate_user": match.candidate.user})


@transaction.atomic
def match_candidate_answer(*, match: Match, interested: bool) -> Match:
    """Le ou la candidat·e répond « intéressé·e » ou « pas intéressé·e »."""
    match = _locked(match)
    now = timezone.now()
    target = _transition(match, "candidate_yes" if interested else "candidate_no")
    match.state = target
    match.candidate_answered_at = now
    if target == MatchState.CONNECTED:
        _connect(match, now)
    elif target == MatchState.CANDIDATE_INTERESTED:
        _email_employer(match, "candidate_interested")
    elif target == MatchState.NO_FOLLOW_UP:
        match.declined_by = Side.CANDIDATE
    match.save()
    return match


@transaction.atomic
def match_employer_answer(*, match: Match, interested: bool, reason: str = "") -> Match:
    """L'employeur répond ; s'il n'est pas intéressé, un motif de `NoInterestReason` (facultatif)."""
    if not interested and reason and reason not in NoInterestReason.values:
        raise MatchTransitionError("Choisissez un motif dans la liste.")
    match = _locked(match)
    now = timezone.now()
    target = _transition(match, "employer_yes" if interested else "employer_no")
    match.state = target
    match.employer_answered_at = now
    if target == MatchState.CONNECTED:
        _connect(match, now)
    elif target == MatchState.EMPLOYER_INTERESTED:
        _email_candidate(match, "employer_interested")
    elif target == MatchState.NO_FOLLOW_UP:
        match.declined_by = Side.EMPLOYER
        match.no_interest_reason = reason
    match.save()
    return match


def _offer_position_filled(offer: Offer) -> None:
    from offers.services import offer_position_filled  # import différé : offers.services appelle matching

    offer_position_filled(offer=offer)


@transaction.atomic
def match_set_outcome(*, match: Match, state) -> Match:
    """Suite d'une mise en relation : entretien, contrat signé ou pas de suite (une fois en relation)."""
    event = OUTCOME_EVENTS.get(state)
    if event is None:
        raise MatchTransitionError("Choisissez : entretien, contrat signé ou pas de suite.")
    match = _locked(match)
    match.state = _transition(match, event)
    match.outcome_at = timezone.now()
    match.save()
    if match.state == MatchState.CONTRACT_SIGNED:
        _offer_position_filled(match.offer)
    return match


@transaction.atomic
def match_propose_by_hand(*, candidate: CandidateProfile, offer: Offer, by_user) -> Match:
    """Un·e conseiller·e propose une paire (même si les règles ne la retiennent pas) ; mêmes alertes."""
    offer = Offer.objects.select_related("trade").get(pk=offer.pk)
    trade_ids = set(candidate.trades.values_list("pk", flat=True))
    facts = candidate_facts(candidate, trade_ids, searching=True)
    distance = distance_km(candidate.commune_id, offer.commune_id) if candidate.commune_id else None
    fit = rules.evaluate(facts, offer_facts(offer), distance, timezone.localtime())
    reasons = list(fit.reasons) if fit else [rules.distance_text(distance)] if distance is not None else []
    reasons.append("proposée par votre conseiller·e")
    try:
        with transaction.atomic():
            match, created = Match.objects.get_or_create(
                candidate=candidate,
                offer=offer,
                defaults={
                    "score": fit.score if fit else 0,
                    "distance_km": round(distance, 1) if distance is not None else 0,
                    "reasons": reasons,
                    "proposed_by": by_user,
                },
            )
    except IntegrityError:  # créée au même moment par un recalcul
        match, created = Match.objects.get(candidate=candidate, offer=offer), False
    if not created:
        if match.state != MatchState.PROPOSED:
            raise MatchTransitionError("Cette mise en relation existe déjà.")
        Match.objects.filter(pk=match.pk).update(is_active=True, proposed_by=by_user, reasons=reasons)
    _alert_new_pairs(Match.objects.filter(pk=match.pk))
    match.refresh_from_db()
    return match


# --- Relances et expiration -----------------------------------------------------------------------


@transaction.atomic
def matches_remind_and_expire(*, now=None) -> dict:
    """Relance après 7 jours le côté qui n'a pas répondu ; expire après 21 jours une paire sans réponse."""
    now = now or timezone.now()
    expired = Match.objects.filter(
        state=MatchState.PROPOSED, created_at__lte=now - EXPIRE_AFTER, candidate_answered_at=None
    ).update(state=MatchState.EXPIRED, updated_at=now)
    due = (
        Q(state=MatchState.PROPOSED, created_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.CANDIDATE_INTERESTED, candidate_answered_at__lte=now - REMINDER_AFTER)
        | Q(state=MatchState.EMPLOYER_INTERESTED, employer_answered_at__lte=now - REMINDER_AFTER)
    )
    reminded = 0
    for match in _with_relations(Match.objects.filter(due, is_active=True, reminded_at=None)):
        if (
            match.state in (MatchState.PROPOSED, MatchState.EMPLOYER_INTERESTED)
            and match.candidate.notification_frequency != NotificationFrequency.NONE
        ):
            _email_candidate(match, "reminder_candidate")
        if match.state in (MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED):
            _email_employer(match, "reminder_employer")
        Match.objects.filter(pk=match.pk).update(reminded_at=now)
        reminded += 1
    return {"reminded": reminded, "expired": expired}
