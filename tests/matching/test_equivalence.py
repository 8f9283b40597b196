"""Les quatre façons d'appliquer les règles donnent exactement le même résultat que `rules.evaluate` : la
recherche d'une offre, celle d'un profil, le calcul en colonnes de `rematch_all` et le « pourquoi aucune
paire » des conseiller·es.

Des données tirées au hasard (graine fixe), à plusieurs dates (horloge figée), autour des bornes des règles :
âges à un jour près de 15, 16, 18, 26 et 30 ans le jour du début de l'offre, de la disponibilité ou
d'aujourd'hui, naissances un 29 février, débuts passés, en fin de mois, disponibilités à la borne du mois
d'avance, rayons, niveaux, contrats, demandeur·ses d'emploi, offres refusant les mineur·es, métier retiré du
catalogue, commune sans coordonnées.
"""

import datetime
import random

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from backoffice import diagnostics
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from core.enums import ContractType, DiplomaLevel
from matching import bulk, indexes, pairs_store, rematch, rule_facts, rules, search
from matching.models import Match
from matching.sql import microseconds
from offers.enums import OfferStatus
from offers.models import Offer
from tests.matching import scan
from tests.matching.factories import CandidateProfileFactory, CommuneFactory, OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db

CONTRACTS = [
    [ContractType.APPRENTISSAGE.value],
    [ContractType.PROFESSIONNALISATION.value],
    [ContractType.APPRENTISSAGE.value, ContractType.PROFESSIONNALISATION.value],
]
LEVELS = [level.value for level in DiplomaLevel]
# Des jours où tournent les calculs : aujourd'hui, veilles et lendemains de 29 février, fins de mois et d'année.
DAYS = ["2026-12-01", "2027-02-28", "2027-03-01", "2028-02-29", "2027-08-31", "2026-12-31"]


def _years_before(day, years, shift=0):
    year = day.year - years
    return day.replace(year=year, day=min(day.day, 28 if day.month == 2 else day.day)) + datetime.timedelta(shift)


def build_world(rng, today):
    trades = [TradeFactory(code=code) for code in ("boulanger", "coiffeur", "plombier")]
    trades.append(TradeFactory(code="retire", is_active=False))
    communes = [CommuneFactory(lat=49.6 + rng.random() * 1.4, lng=1.8 + rng.random() * 1.6) for _ in range(30)]
    communes.append(CommuneFactory(lat=None, lng=None))
    starts = [None, today + datetime.timedelta(days=40), datetime.date(today.year + 1, 3, 31)]
    starts += [datetime.date(today.year + 1, 2, 28), today.replace(day=1) + datetime.timedelta(days=95)]
    starts += [today - datetime.timedelta(days=10), today]
    for _ in range(70):
        OfferFactory(
            trade=rng.choice(trades),
            commune=rng.choice(communes),
            levels=sorted(rng.sample(LEVELS, rng.choice((0, 0, 1, 2)))),
            contract_types=rng.choice(CONTRACTS),
            start_date=rng.choice(starts),
            accepts_minors=rng.random() < 0.6,
            published_at=timezone.now() - datetime.timedelta(days=rng.randrange(70), minutes=rng.randrange(1440)),
        )
    OfferFactory(trade=trades[0], commune=communes[0], draft=True)
    dated = [start for start in starts if start]
    for _ in range(220):
        pick = rng.random()
        if pick < 0.3:  # disponible à la borne du mois d'avance d'une offre
            available = rules.latest_availability(max(rng.choice(dated), today)) + datetime.timedelta(
                rng.choice((0, 1))
            )
        elif pick < 0.4:
            available = rng.choice(dated)
        else:
            available = today + datetime.timedelta(days=rng.randrange(-20, 200))
        day = rng.choice([today, available, *dated])
        if rng.random() < 0.1:
            birth = datetime.date(2008 if rng.random() < 0.5 else 1996, 2, 29)
        else:
            birth = _years_before(day, rng.choice((15, 16, 17, 18, 25, 26, 29, 30)), rng.choice((-1, 0, 1, 40)))
        CandidateProfileFactory(
            trades=rng.sample(trades, rng.choice((1, 1, 2))),
            commune=rng.choice(communes),
            radius_km=rng.choice((10, 20, 30, 50, 100)),
            level=rng.choice(LEVELS),
            contract_types=rng.choice(CONTRACTS),
            available_from=available,
            birth_date=birth,
            age_exception="rqth" if rng.random() < 0.1 else "",
            job_seeker=rng.random() < 0.3,
        )


def _world(day: str):
    day = datetime.date.fromisoformat(day)
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False):
        build_world(random.Random(20261130), timezone.localdate())
        indexes.candidate_index_rebuild()
        indexes.offer_index_rebuild()
        yield timezone.localdate()


@pytest.fixture(params=DAYS)
def dated_world(request):
    yield from _world(request.param)


@pytest.fixture
def world():
    yield from _world(DAYS[0])


def _truth(now):
    """Toutes les paires, profil par profil, par le parcours complet et `rules.evaluate`."""
    fits = {}
    for offer in Offer.objects.published().select_related("trade"):
        for candidate_id, fit in scan.offer_candidate_pool_by_scan(rule_facts.offer_facts(offer), now=now).items():
            fits[candidate_id, offer.pk] = fit
    return fits


def test_four_paths_give_exactly_the_pairs_of_the_rules(dated_world):
    now = timezone.now()
    truth = _truth(now)
    assert len(truth) > 50  # les données donnent bien des paires à comparer

    # La recherche d'une offre.
    for offer in Offer.objects.published().select_related("trade"):
        facts = rule_facts.offer_facts(offer)
        expected = {candidate: fit for (candidate, offer_id), fit in truth.items() if offer_id == offer.pk}
        assert search.offer_candidate_pool(facts, now=now) == expected, offer.pk

    # La recherche d'un profil (comparée aussi à son propre parcours complet).
    for profile in CandidateProfile.objects.prefetch_related("trades"):
        facts = rule_facts.candidate_facts(profile, {trade.pk for trade in profile.trades.all()}, searching=True)
        expected = scan.candidate_offer_pool_by_scan(facts, now=now)
        assert expected == {offer: fit for (candidate, offer), fit in truth.items() if candidate == profile.pk}
        assert search.candidate_offer_pool(facts, now=now) == expected, profile.pk

    # Le calcul en colonnes, par petits paquets de profils (chaque profil dans un seul paquet).
    engine = bulk.Engine(dated_world)
    found = {}
    for where in bulk.candidate_ranges(rows_per_chunk=7):
        pairs = engine.fits(where)
        for candidate, offer, base, distance, published in zip(
            pairs.candidate.tolist(),
            pairs.offer.tolist(),
            pairs.base.tolist(),
            pairs.distance.tolist(),
            pairs.published_us.tolist(),
            strict=True,
        ):
            assert (candidate, offer) not in found
            found[candidate, offer] = (base, distance, published)
    assert found.keys() == truth.keys()
    for key, fit in truth.items():
        base, distance, published = found[key]
        assert base == pytest.approx(fit.base, abs=1e-9)
        assert distance == fit.distance_km
        assert published == microseconds(fit.published_at)

    # Le même calcul pour quelques profils choisis (la tâche quotidienne).
    chosen = sorted({candidate for candidate, _ in truth})[::3] + [0]
    pairs = engine.fits(bulk.candidate_list(chosen))
    assert set(zip(pairs.candidate.tolist(), pairs.offer.tolist(), strict=True)) == {
        key for key in truth if key[0] in chosen
    }

    # Le « pourquoi aucune paire » : « des offres compatibles existent » exactement pour les profils (et les
    # offres) qui ont une paire selon les règles.
    profiles = list(CandidateProfile.objects.searching().select_related("commune").prefetch_related("trades"))
    reasons = diagnostics.candidates_reasons(profiles)
    compatible = diagnostics.CANDIDATE_REASONS[None]
    assert {pk for pk, reason in reasons.items() if reason == compatible} == {candidate for candidate, _ in truth}
    offers = list(Offer.objects.published().select_related("commune", "trade"))
    reasons = diagnostics.offers_reasons(offers)
    compatible = diagnostics.OFFER_REASONS[None]
    assert {pk for pk, reason in reasons.items() if reason == compatible} == {offer for _, offer in truth}


@pytest.fixture(params=[None, 7], ids=["un-paquet", "paquets-de-7-lignes"])
def rows_per_chunk(request, monkeypatch):
    if request.param:
        monkeypatch.setattr(bulk, "ROWS_PER_CHUNK", request.param)
    return request.param


def test_full_rematch_writes_the_scores_of_the_rules_then_nothing(world, rows_per_chunk):
    totals = rematch.rematch_all(notify=False)
    truth = _truth(timezone.now())
    active = {(m.candidate_id, m.offer_id): m for m in Match.objects.filter(is_active=True)}
    assert active.keys() == truth.keys()
    assert totals["created"] == len(truth)
    for key, match in active.items():
        assert match.score == pytest.approx(truth[key].score_at(match.created_at), abs=1e-9)
        assert match.distance_km == truth[key].distance_km
    again = rematch.rematch_all(notify=False)
    assert (again["created"], again["updated"], again["deactivated"]) == (0, 0, 0)


def test_first_fill_builds_the_indexes_at_the_end(world, monkeypatch, rows_per_chunk):
    monkeypatch.setattr(pairs_store, "FIRST_FILL_WITHOUT_INDEXES", 1)
    totals = rematch.rematch_all(notify=False)
    assert totals["created"] == len(_truth(timezone.now()))
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Match._meta.db_table)
    assert {index.name for index in Match._meta.indexes} <= constraints.keys()


def test_full_rematch_after_changes_writes_only_the_differences(world, rows_per_chunk):
    rematch.rematch_all(notify=False)
    before = {(m.candidate_id, m.offer_id): m for m in Match.objects.all()}
    offers = list(Offer.objects.published().order_by("pk")[:6])
    Offer.objects.filter(pk=offers[0].pk).update(status=OfferStatus.ARCHIVED)
    Offer.objects.filter(pk__in=[offer.pk for offer in offers[1:4]]).update(levels=[], accepts_minors=True)
    CandidateProfile.objects.filter(pk__in=[key[0] for key in list(before)[:3]]).update(status=SearchStatus.PAUSED)
    totals = rematch.rematch_all(notify=False)
    truth = _truth(timezone.now())
    active = {(m.candidate_id, m.offer_id): m for m in Match.objects.filter(is_active=True)}
    assert active.keys() == truth.keys()
    assert totals["deactivated"] > 0 and totals["created"] + totals["updated"] > 0
    for key, match in active.items():
        assert match.score == pytest.approx(truth[key].score_at(match.created_at), abs=1e-9)
        if key in before:
            assert match.pk == before[key].pk and match.created_at == before[key].created_at  # la même paire
