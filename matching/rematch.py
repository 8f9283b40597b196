"""Recalcul des paires candidat·e/offre.

- `rematch_offer` / `rematch_candidate` : recalculent seulement les paires de l'offre ou du profil (en tâche de
  fond après le commit, `matching.tasks.schedule_rematch_for_offer` / `schedule_rematch_for_candidate`, que
  déclenchent les signaux des offres et des profils, voir `matching.receivers`).
- `compute_first_matches` : les premières paires d'un profil qui vient d'être terminé, juste après le commit.
- `rematch_all` : tout recalculer (après un import, un changement de règles), en colonnes (`matching.bulk`),
  par paquets de profils.
- `rematch_daily` : chaque jour, les seuls profils dont un anniversaire ou la disponibilité change les paires,
  ensemble, en colonnes (`rematch_candidates`).

Les recherches elles-mêmes (index, faits des règles) sont dans `matching.search`.
"""

import datetime
import functools
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import CandidateProfile
from matching import bulk, indexes, pairs_store, rule_facts, rules, search
from matching.alerts import alert_new_pairs
from matching.models import CandidateTradeIndex, DailyRematch, Match
from offers.models import Offer
from offers.selectors import offers_version_bump

BATCH = 2000
DAILY_BATCH = 20_000  # profils recalculés ensemble par la tâche quotidienne


def _sync_pairs(*, fits: dict[tuple[int, int], rules.Fit], existing, now, notify: bool) -> dict:
    """Crée, met à jour, désactive les paires de `existing` (QuerySet) selon `fits` {(profil, offre): Fit}.

    Une paire déjà là garde son score du moment où elle a été trouvée (`Fit.score_at(created_at)`) : elle
    n'est réécrite que si elle a vraiment changé. Une paire proposée par un·e conseiller·e n'est jamais
    désactivée par un recalcul : seul·e le ou la conseiller·e (`match_withdraw_by_hand`) ou l'un des côtés y met fin.
    """
    current = {
        (candidate, offer): (pk, active, score, dist, created, by_hand)
        for pk, candidate, offer, active, score, dist, created, by_hand in existing.values_list(
            "pk", "candidate_id", "offer_id", "is_active", "score", "distance_km", "created_at", "proposed_by"
        )
    }
    to_create, to_update, to_deactivate = [], [], []
    for key, fit in fits.items():
        if key not in current:
            to_create.append(
                Match(
                    candidate_id=key[0],
                    offer_id=key[1],
                    score=fit.score_at(now),
                    distance_km=fit.distance_km,
                    created_at=now,
                    candidate_alerted=not notify,
                    employer_alerted=not notify,
                )
            )
            continue
        pk, active, score, dist, created, _by_hand = current[key]
        new_score = fit.score_at(created)
        if not active or score != new_score or dist != fit.distance_km:
            to_update.append(Match(pk=pk, is_active=True, score=new_score, distance_km=fit.distance_km, updated_at=now))
    for key, (pk, active, *_, by_hand) in current.items():
        if active and key not in fits and by_hand is None:
            to_deactivate.append(pk)
    # ignore_conflicts : une autre tâche a pu créer la même paire entre-temps (contrainte d'unicité).
    Match.objects.bulk_create(to_create, batch_size=BATCH, ignore_conflicts=True)
    Match.objects.bulk_update(to_update, ["is_active", "score", "distance_km", "updated_at"], batch_size=BATCH)
    pairs_store.deactivate_pairs(to_deactivate, now=now)
    return {"created": len(to_create), "updated": len(to_update), "deactivated": len(to_deactivate)}


@transaction.atomic
def rematch_offer(offer_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index de l'offre puis recalcule ses paires (idempotent) ; alerte pour les nouvelles paires."""
    offer = Offer.objects.select_related("trade", "company").filter(pk=offer_id).first()
    if offer is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    indexes.offer_index_sync(offer=offer)
    # La recherche publique lit l'index : ce qu'elle a gardé en cache (`offers_version`) est périmé.
    transaction.on_commit(offers_version_bump)
    now = timezone.now()
    pool = search.offer_candidate_pool(rule_facts.offer_facts(offer), now=now)
    fits = {(candidate_id, offer.pk): fit for candidate_id, fit in pool.items()}
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(offer_id=offer.pk), now=now, notify=notify)
    if notify:
        alert_new_pairs(Match.objects.filter(offer_id=offer.pk))
    return counts


@transaction.atomic
def rematch_candidate(candidate_id: int, *, notify: bool = True) -> dict:
    """Met à jour l'index du profil puis recalcule ses paires (idempotent)."""
    profile = CandidateProfile.objects.filter(pk=candidate_id).first()
    if profile is None:
        return {"created": 0, "updated": 0, "deactivated": 0}
    searching = CandidateProfile.objects.searching().filter(pk=profile.pk).exists()
    trade_ids = set(profile.trades.values_list("pk", flat=True))
    indexed = indexes.candidate_index_sync(profile=profile, trade_ids=trade_ids, searching=searching)
    now = timezone.now()
    facts = rule_facts.candidate_facts(profile, trade_ids, searching=searching)
    pool = search.candidate_offer_pool(facts, now=now) if indexed else {}
    fits = {(profile.pk, offer_id): fit for offer_id, fit in pool.items()}
    counts = _sync_pairs(fits=fits, existing=Match.objects.filter(candidate_id=profile.pk), now=now, notify=notify)
    if notify:
        alert_new_pairs(Match.objects.filter(candidate_id=profile.pk))
    return counts


def compute_first_matches(candidate_profile) -> None:
    """Les premières paires d'un profil qui vient d'être terminé, calculées dans la requête, juste après le
    commit (quelques millisecondes) : la page suivante les montre déjà. Une erreur est journalisée sans faire
    échouer la requête ; la tâche de fond (`matching.tasks.schedule_rematch_for_candidate`) refait ce calcul."""
    transaction.on_commit(functools.partial(rematch_candidate, candidate_profile.pk), robust=True)


# --- Tout recalculer ------------------------------------------------------------------------------


def rematch_all(*, progress=None, notify: bool = True) -> dict:
    """Recalcule toutes les paires : les deux index, puis les paires en colonnes (`matching.bulk`), par paquets
    de profils : pour chaque paquet, ses paires sont calculées, comparées à ses paires enregistrées, et seules
    les différences sont écrites, avant de passer au suivant. La mémoire dépend de la taille d'un paquet, pas du
    nombre de paires.

    Un profil ou une offre modifié pendant le calcul est recalculé à la fin, à part.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    now = timezone.now()
    totals = {"created": 0, "updated": 0, "deactivated": 0, "pairs": 0}

    def step(message):
        say(f"{message} ({time.monotonic() - started:.1f} s)")

    indexes.candidate_index_rebuild(progress=step)
    step(f"index des offres : {indexes.offer_index_rebuild()} offres")
    engine = bulk.Engine(timezone.localdate(now))
    fill = pairs_store.FirstFill()
    ranges = bulk.candidate_ranges()
    for number, where in enumerate(ranges, 1):
        pairs = engine.fits(where)
        counts = pairs_store.sync_pairs(pairs, where, now=now, notify=notify, fill=fill)
        totals["pairs"] += len(pairs)
        del pairs
        for name, count in counts.items():
            totals[name] += count
        if len(ranges) > 1:
            step(f"paquet {number}/{len(ranges)} : {totals['pairs']} paires, {totals['created']} créées")
    pairs_store.create_indexes()  # après un premier remplissage (ou un premier remplissage interrompu)
    step(f"paires qui correspondent : {totals['pairs']}")
    step(f"écritures : {totals['created']} créées, {totals['updated']} à jour, {totals['deactivated']} désactivées")
    # Modifiés pendant le calcul : recalculés un par un, avec les données du moment.
    for pk in CandidateProfile.objects.filter(updated_at__gte=now).values_list("pk", flat=True):
        rematch_candidate(pk, notify=notify)
    for pk in Offer.objects.filter(updated_at__gte=now).values_list("pk", flat=True):
        rematch_offer(pk, notify=notify)
    if notify:  # les alertes des nouvelles paires, par paquets de clés
        last = 0
        while ids := list(
            Match.objects.filter(created_at=now, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        ):
            alert_new_pairs(Match.objects.filter(pk__in=ids))
            last = ids[-1]
    DailyRematch.objects.update_or_create(day=timezone.localdate(now), defaults={"profiles": 0})
    totals["seconds"] = round(time.monotonic() - started, 1)
    say(f"terminé : {totals}")
    return totals


def rematch_candidates(candidate_ids, *, now=None, notify: bool = True) -> dict:
    """Recalcule ensemble les paires de ces profils (déjà dans l'index) contre toutes les offres, en colonnes
    (`matching.bulk`), par paquets de `DAILY_BATCH` profils ; alertes des nouvelles paires comme
    `rematch_candidate`. Le même résultat que `rematch_candidate` profil par profil, en une lecture des offres."""
    now = now or timezone.now()
    totals = {"created": 0, "updated": 0, "deactivated": 0}
    candidate_ids = sorted(candidate_ids)
    if not candidate_ids:
        return totals
    engine = bulk.Engine(timezone.localdate(now))
    for first in range(0, len(candidate_ids), DAILY_BATCH):
        part = candidate_ids[first : first + DAILY_BATCH]
        where = bulk.candidate_list(part)
        for name, count in pairs_store.sync_pairs(engine.fits(where), where, now=now, notify=notify).items():
            totals[name] += count
        if notify:
            for start in range(0, len(part), BATCH):
                alert_new_pairs(Match.objects.filter(candidate_id__in=part[start : start + BATCH]))
    return totals


# --- Ce que le temps change : la tâche quotidienne ----------------------------------------------------


def due_conditions(*, since: datetime.date, day: datetime.date) -> list[Q]:
    """Les intervalles de dates de naissance et de disponibilité de `due_profile_ids`, un par requête."""
    ranges = [
        Q(birth_date__gt=rules.latest_birth_date(since, age), birth_date__lte=rules.latest_birth_date(day, age))
        for age in rules.AGE_THRESHOLDS
    ]
    ranges.append(
        Q(
            available_from__gt=rules.latest_availability(since),
            available_from__lte=rules.latest_availability(day),
        )
    )
    return ranges


def due_profile_ids(*, since: datetime.date, day: datetime.date) -> list[int]:
    """Les profils en recherche dont les paires peuvent changer entre `since` (exclu) et `day` (inclus) sans
    que rien ne soit modifié : un anniversaire qui franchit un âge de `rules.AGE_THRESHOLDS`, ou le jour où
    leur disponibilité n'est plus qu'à un mois (`rules.start_fits` : les offres déjà commencées leur
    conviennent alors). Des requêtes sur les index de l'index des candidat·es (date de naissance,
    disponibilité), pas un parcours.

    Rien d'autre ne dépend du jour : l'âge au début du contrat ne change qu'à un anniversaire, et une offre
    dont le début passe commence aujourd'hui, à l'âge d'aujourd'hui."""
    ids = set()
    for condition in due_conditions(since=since, day=day):  # une requête par intervalle : chacune suit son index
        ids.update(CandidateTradeIndex.objects.filter(condition).values_list("candidate_id", flat=True))
    return sorted(ids)


def rematch_daily(*, now=None, notify: bool = True) -> dict:
    """Recalcule chaque jour les seuls profils dont le résultat des règles change ce jour-là (voir
    `due_profile_ids`), depuis le dernier jour fait, ensemble (`rematch_candidates`) ; alertes des nouvelles
    paires comme d'habitude."""
    started = time.monotonic()
    day = timezone.localdate(now)
    last = DailyRematch.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None and last >= day:
        return {"day": day.isoformat(), "profiles": 0, "created": 0, "updated": 0, "deactivated": 0}
    since = last if last is not None else day - datetime.timedelta(days=1)
    profile_ids = due_profile_ids(since=since, day=day)
    totals = rematch_candidates(profile_ids, now=now, notify=notify)
    seconds = round(time.monotonic() - started, 3)
    DailyRematch.objects.update_or_create(day=day, defaults={"profiles": len(profile_ids), "seconds": seconds})
    return {"day": day.isoformat(), "profiles": len(profile_ids), **totals, "seconds": seconds}
