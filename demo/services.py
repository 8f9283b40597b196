"""Données de démonstration : déterministes pour une graine et un jour donnés, à toute échelle.

Employeurs, offres et candidat·es sont répartis sur les communes d'une région (ou de toute la France)
en proportion de la population. Le monde a un passé : une année de service qui grandit (plus d'inscriptions
les derniers mois), des offres publiées tout au long de l'année (expirées, pourvues ou encore en ligne) et
des paires qui ont chacune leur histoire (`demo/history.py`). Les écritures se font par lots (`bulk_create`,
`COPY`) pour tenir le million de profils en quelques minutes.
"""

import datetime
import itertools
import math
import random
import time

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from stdnum import luhn

from accounts.enums import Role
from accounts.models import User
from backoffice.models import Cma
from backoffice.services import advisor_create, cma_create
from candidates.enums import NotificationFrequency, SearchStatus
from candidates.models import CandidateProfile
from core.enums import ContractType, DiplomaLevel
from demo import history
from demo.names import COMPANY_PATTERNS, FIRST_NAMES, LAST_NAMES
from employers.enums import MembershipSource, MembershipStatus, StaffBand, VerificationSource, VerificationStatus
from employers.models import Company, Membership
from geo.models import Commune, Region
from matching import bulk, indexes, sql
from matching.models import CandidateTradeIndex, DailyRematch, Match
from matching.rematch import rematch_all
from offers.enums import OfferStatus
from offers.models import Offer
from stats.services import stats_refresh
from trades.models import Trade

DEMO_DOMAIN = "demo.cestmachance.fr"
DEMO_CANDIDATE_EMAIL = f"candidat@{DEMO_DOMAIN}"
DEMO_EMPLOYER_EMAIL = f"employeur@{DEMO_DOMAIN}"
DEMO_ADVISOR_EMAIL = f"conseiller@{DEMO_DOMAIN}"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_CMA_NAME = "CMA de démonstration"
BATCH = 5000
HAUTS_DE_FRANCE = "32"

# Les métiers qui recrutent le plus d'apprenti·es dans l'artisanat pèsent plus lourd.
POPULAR_TRADES = {
    "boulanger": 8,
    "patissier": 6,
    "boucher": 4,
    "coiffeur": 8,
    "estheticien": 5,
    "plombier": 4,
    "chauffagiste": 2,
    "electricien": 6,
    "macon": 4,
    "menuisier": 4,
    "mecanicien_auto": 7,
    "carrossier": 3,
    "peintre_batiment": 3,
    "cuisinier_traiteur": 4,
    "fleuriste": 2,
    "charcutier_traiteur": 2,
}
LEVEL_WEIGHTS = {
    DiplomaLevel.LEVEL_3: 50,
    DiplomaLevel.LEVEL_4: 30,
    DiplomaLevel.LEVEL_5: 14,
    DiplomaLevel.LEVEL_6: 4,
    DiplomaLevel.LEVEL_7: 2,
}
RADIUS_WEIGHTS = {10: 10, 20: 20, 30: 45, 50: 18, 100: 7}
# Le service a un an : les inscriptions croissent (densité proportionnelle au temps écoulé depuis l'ouverture).
HISTORY_DAYS = 365
OFFER_DAYS = 60  # une offre expire deux mois après sa publication (`offers`)
SHOWCASE_OFFER_AGE = datetime.timedelta(days=6)
SHOWCASE_CANDIDATE_AGE = datetime.timedelta(days=30)
AGE_WEIGHTS = {15: 4, 16: 14, 17: 16, 18: 16, 19: 12, 20: 10, 21: 8, 22: 6, 23: 5, 24: 4, 25: 3, 26: 1, 27: 1}


def siret_from(number: int) -> str:
    """Un SIRET fictif mais valide (SIREN et SIRET à clé de Luhn) construit à partir d'un numéro."""
    siren = luhn.calc_check_digit(f"9{number:07d}")  # SIREN fictifs commençant par 9
    siren = f"9{number:07d}{siren}"
    nic = "0001"
    return f"{siren}{nic}{luhn.calc_check_digit(siren + nic)}"


def _weighted(rng, weights: dict, k: int):
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _first_of_month(day: datetime.date, months_ahead: int) -> datetime.date:
    month = day.month - 1 + months_ahead
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


class DemoSeeder:
    def __init__(self, *, seed: int, region: str | None, today: datetime.date, log=print):
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.log = log
        communes = Commune.objects.located().filter(population__gt=0)
        if region:
            communes = communes.filter(departement__region_id=region)
        rows = list(communes.order_by("code").values_list("code", "name", "population"))
        if not rows:
            raise ValueError("Aucune commune : importez d'abord les données géographiques (import_geo).")
        self.communes = [(code, name) for code, name, _ in rows]
        self.commune_weights = list(itertools.accumulate(population for _, _, population in rows))
        trades = list(Trade.objects.active().order_by("code").values_list("pk", "code", "family"))
        if not trades:
            raise ValueError("Aucun métier : importez d'abord le catalogue (import_trades).")
        self.trades = trades
        self.trade_weights = list(itertools.accumulate(POPULAR_TRADES.get(code, 1) for _, code, _ in trades))
        self.trades_by_family = {}
        for trade in trades:
            self.trades_by_family.setdefault(trade[2], []).append(trade)
        self.password = make_password(None)
        self.showcase = None  # (commune, métier) de l'offre de l'employeur de démonstration
        self.now = timezone.now()

    def _joined(self) -> datetime.datetime:
        """Une date d'inscription dans l'année écoulée, plus probable les derniers mois (service qui grandit)."""
        days_ago = HISTORY_DAYS * (1 - math.sqrt(self.rng.random()))
        return self.now - datetime.timedelta(days=days_ago)

    def _communes(self, k):
        return self.rng.choices(self.communes, cum_weights=self.commune_weights, k=k)

    def _trades(self, k):
        return self.rng.choices(self.trades, cum_weights=self.trade_weights, k=k)

    def _name(self):
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def employers(self, count: int, *, offers_per_employer: float = 1.5, first_email: str | None = None):
        started = time.monotonic()
        now = timezone.now()
        made = 0
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            communes = self._communes(size)
            trades = self._trades(size)
            users, companies, offers, joined = [], [], [], []
            for index in range(size):
                number = start + index
                first, last = self._name()
                email = first_email if (number == 0 and first_email) else f"employeur{number}@{DEMO_DOMAIN}"
                users.append(
                    User(
                        email=email,
                        first_name=first,
                        last_name=last,
                        role=Role.EMPLOYER,
                        phone=f"06{self.rng.randrange(10**8):08d}",
                        password=self.password,
                    )
                )
                joined.append(self._joined())
                (code, town), trade = communes[index], trades[index]
                pattern = self.rng.choice(COMPANY_PATTERNS.get(trade[2], ("Entreprise {name}",)))
                companies.append(
                    Company(
                        siret=siret_from(number),
                        name=pattern.format(name=last, first=first, town=town),
                        commune_id=code,
                        staff_band=_weighted(self.rng, {"0-10": 80, "11-49": 15, "50-249": 4, "250+": 1}, 1)[0],
                        verification_status=VerificationStatus.VERIFIED,
                        verification_source=VerificationSource.DEMO,
                        verified_at=now,
                    )
                )
            for user, company, since in zip(users, companies, joined, strict=True):
                user.date_joined = company.verified_at = since
            with transaction.atomic():
                users = User.objects.bulk_create(users, batch_size=BATCH)
                companies = Company.objects.bulk_create(companies, batch_size=BATCH)
                Membership.objects.bulk_create(
                    [
                        Membership(
                            company_id=c.pk,
                            user_id=u.pk,
                            status=MembershipStatus.APPROVED,
                            source=MembershipSource.DEMO,
                            decided_at=u.date_joined,
                        )
                        for c, u in zip(companies, users, strict=True)
                    ],
                    batch_size=BATCH,
                )
                for company, trade, since in zip(companies, trades, joined, strict=True):
                    n_offers = 1 + (self.rng.random() < offers_per_employer - 1)
                    for offer_index in range(n_offers):
                        offer_trade = trade if offer_index == 0 else self.rng.choice(self.trades_by_family[trade[2]])
                        # La première offre dans les jours de l'inscription, une autre plus tard.
                        span = 3 if offer_index == 0 else max((self.now - since).days, 1)
                        published_at = min(since + datetime.timedelta(days=self.rng.uniform(0, span)), self.now)
                        offers.append(self._offer(company, offer_trade, published_at))
                if start == 0 and first_email:
                    # Le compte employeur de démonstration : une offre récente, ouverte à tous les niveaux et aux
                    # mineur·es.
                    showcase = offers[0]
                    showcase.levels, showcase.accepts_minors, showcase.start_date = [], True, None
                    showcase.published_at = showcase.created_at = self.now - SHOWCASE_OFFER_AGE
                    showcase.expires_at = showcase.published_at + datetime.timedelta(days=OFFER_DAYS)
                    self.showcase = (showcase.commune_id, trades[0])
                Offer.objects.bulk_create(offers, batch_size=BATCH)
                # La date d'inscription (posée par la base à l'insertion) : un peu avant la première offre.
                first_offer = Offer.objects.filter(company=OuterRef("pk")).order_by("published_at")
                Company.objects.filter(pk__in=[company.pk for company in companies]).update(
                    created_at=Subquery(first_offer.values("published_at")[:1])
                )
            made += size
            self.log(f"  employeurs : {made}/{count} ({time.monotonic() - started:.1f} s)")

    def _offer(self, company, trade, published_at):
        rng = self.rng
        level = _weighted(rng, LEVEL_WEIGHTS, 1)[0]
        levels = (
            []
            if rng.random() < 0.3
            else sorted({level, *([str(int(level) + 1)] if level < "7" and rng.random() < 0.4 else [])})
        )
        staff = company.staff_band
        return Offer(
            company_id=company.pk,
            trade_id=trade[0],
            levels=levels,
            contract_types=[ContractType.APPRENTISSAGE]
            if rng.random() < 0.8
            else [ContractType.APPRENTISSAGE, ContractType.PROFESSIONNALISATION],
            start_date=None
            if rng.random() < 0.3
            else _first_of_month(max(timezone.localdate(published_at), self.today), rng.randrange(1, 7)),
            positions=1 if rng.random() < 0.85 or staff == StaffBand.FROM_0_TO_10 else 2,
            commune_id=company.commune_id,
            description="Nous cherchons un·e apprenti·e motivé·e pour apprendre le métier à nos côtés.",
            working_hours="35 h par semaine, du mardi au samedi",
            night_or_early_work=trade[1] in {"boulanger", "patissier"},
            accepts_minors=rng.random() < 0.85,
            status=OfferStatus.PUBLISHED,
            created_at=published_at,
            published_at=published_at,
            expires_at=published_at + datetime.timedelta(days=OFFER_DAYS),
        )

    def candidates(self, count: int, *, first_email: str | None = None):
        started = time.monotonic()
        rng = self.rng
        made = 0
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            communes = self._communes(size)
            users, profiles, trade_links = [], [], []
            for index in range(size):
                number = start + index
                first, last = self._name()
                email = first_email if (number == 0 and first_email) else f"candidat{number}@{DEMO_DOMAIN}"
                phone = f"07{rng.randrange(10**8):08d}" if rng.random() < 0.8 else ""
                joined = self.now - SHOWCASE_CANDIDATE_AGE if (number == 0 and first_email) else self._joined()
                users.append(
                    User(
                        email=email,
                        first_name=first,
                        last_name=last,
                        role=Role.CANDIDATE,
                        phone=phone,
                        password=self.password,
                        date_joined=joined,
                    )
                )
                age = _weighted(rng, AGE_WEIGHTS, 1)[0]
                birth = self.today - datetime.timedelta(days=age * 365 + rng.randrange(0, 360))
                licence = age >= 18 and rng.random() < 0.4
                profiles.append(
                    CandidateProfile(
                        created_at=joined,
                        birth_date=birth,
                        commune_id=communes[index][0],
                        radius_km=_weighted(rng, RADIUS_WEIGHTS, 1)[0],
                        has_driving_licence=licence,
                        has_vehicle=licence and rng.random() < 0.5,
                        level=_weighted(rng, LEVEL_WEIGHTS, 1)[0] if age >= 18 else DiplomaLevel.LEVEL_3,
                        contract_types=[ContractType.APPRENTISSAGE]
                        if age < 26
                        else [ContractType.PROFESSIONNALISATION],
                        available_from=_first_of_month(self.today, rng.randrange(0, 6)),
                        has_training_place=rng.random() < 0.3,
                        status=SearchStatus.SEARCHING,
                        is_complete=True,
                        notification_frequency=_weighted(
                            rng,
                            {
                                NotificationFrequency.IMMEDIATE: 70,
                                NotificationFrequency.DAILY: 25,
                                NotificationFrequency.NONE: 5,
                            },
                            1,
                        )[0],
                    )
                )
                main_trade = self._trades(1)[0]
                if number == 0 and first_email and self.showcase:
                    # La candidate de démonstration habite près de l'employeur de démonstration, dans son métier.
                    profiles[-1].commune_id, main_trade = self.showcase
                    profiles[-1].radius_km = 30
                chosen = {main_trade[0]}
                for _ in range(rng.choice((0, 0, 1, 2))):
                    chosen.add(rng.choice(self.trades_by_family[main_trade[2]])[0])
                trade_links.append(sorted(chosen))
            with transaction.atomic():
                users = User.objects.bulk_create(users, batch_size=BATCH)
                for profile, user in zip(profiles, users, strict=True):
                    profile.user_id = user.pk
                profiles = CandidateProfile.objects.bulk_create(profiles, batch_size=BATCH)
                Through = CandidateProfile.trades.through
                Through.objects.bulk_create(
                    [
                        Through(candidateprofile_id=p.pk, trade_id=t)
                        for p, ts in zip(profiles, trade_links, strict=True)
                        for t in ts
                    ],
                    batch_size=BATCH,
                )
            made += size
            self.log(f"  candidat·es : {made}/{count} ({time.monotonic() - started:.1f} s)")


def demo_exists() -> bool:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


def demo_delete() -> None:
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    Offer.objects.filter(company__memberships__user__in=users).delete()
    Company.objects.filter(memberships__user__in=users).delete()
    CandidateProfile.objects.filter(user__in=users).delete()
    users.delete()
    Cma.objects.filter(name=DEMO_CMA_NAME).delete()


def demo_staff_create(*, region: str | None) -> None:
    """Une administratrice nationale et un conseiller de la CMA de la région (Hauts-de-France par défaut)."""
    admin = User.objects.create_user(DEMO_ADMIN_EMAIL, role=Role.ADMIN, first_name="Alice", last_name="Admin")
    region_obj = Region.objects.filter(code=region or HAUTS_DE_FRANCE).first() or Region.objects.first()
    cma = cma_create(actor=admin, name=DEMO_CMA_NAME, region=region_obj)
    advisor_create(actor=admin, email=DEMO_ADVISOR_EMAIL, first_name="Karim", last_name="Conseil", cma=cma,
                   regions=[region_obj])  # fmt: skip


def demo_seed(
    *,
    candidates: int,
    employers: int,
    region: str | None = HAUTS_DE_FRANCE,
    seed: int = 1,
    today: datetime.date | None = None,
    log=print,
) -> None:
    seeder = DemoSeeder(seed=seed, region=region, today=today or timezone.localdate(), log=log)
    seeder.employers(employers, first_email=DEMO_EMPLOYER_EMAIL)
    seeder.candidates(candidates, first_email=DEMO_CANDIDATE_EMAIL)
    demo_staff_create(region=region)
    demo_history_create(seeder, log=log)
    refresh = stats_refresh()
    log(f"Statistiques recalculées : {refresh.rows} agrégats")


def _microseconds(rows) -> np.ndarray:
    """{id: date} lus en base -> tableau indexé par id (µs depuis 1970 ; 0 : pas de démonstration)."""
    rows = list(rows)
    values = np.zeros(max((pk for pk, _ in rows), default=0) + 1, dtype=np.int64)
    for pk, moment in rows:
        values[pk] = sql.microseconds(moment)
    return values


def demo_history_create(seeder: DemoSeeder, *, log=print) -> dict:
    """Les paires du monde de démonstration avec leur passé, puis ce qu'il a changé : offres pourvues ou
    expirées, jeunes qui ont trouvé un contrat. Sans e-mail : tout cela est déjà arrivé."""
    started = time.monotonic()
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    profiles = CandidateProfile.objects.filter(user__in=users)
    offers = Offer.objects.filter(company__memberships__user__in=users)
    if Match.objects.exists() or CandidateProfile.objects.exclude(user__in=users).exists():
        # D'autres données que la démonstration : le recalcul ordinaire, sans passé inventé pour elles.
        return rematch_all(progress=log, notify=False)
    indexes.candidate_index_rebuild(progress=log)
    indexes.offer_index_rebuild()
    pairs = bulk.Engine(seeder.today).fits("1 = 1")  # toutes les paires d'un coup : l'histoire les tire ensemble
    log(f"  paires qui correspondent : {len(pairs)} ({time.monotonic() - started:.1f} s)")
    offer_rows = list(offers.values_list("pk", "published_at", "expires_at", "positions"))
    positions = np.zeros(max((row[0] for row in offer_rows), default=0) + 1, dtype=np.int64)
    for pk, *_rest, count in offer_rows:
        positions[pk] = count
    demo_candidate = profiles.filter(user__email=DEMO_CANDIDATE_EMAIL).values_list("pk", flat=True).first()
    showcase = offers.filter(company__memberships__user__email=DEMO_EMPLOYER_EMAIL).order_by("pk")
    showcase = showcase.values_list("pk", flat=True).first()
    world = history.World(
        candidate_created_us=_microseconds(profiles.values_list("pk", "created_at")),
        offer_published_us=_microseconds((pk, published) for pk, published, *_ in offer_rows),
        offer_expires_us=_microseconds((pk, expires) for pk, _, expires, _ in offer_rows),
        offer_positions=positions,
        protected_candidates=frozenset({demo_candidate} - {None}),
        protected_offers=frozenset({showcase} - {None}),
        fresh_pairs=frozenset({(demo_candidate, showcase)}) if demo_candidate and showcase else frozenset(),
    )
    with transaction.atomic():
        signed = history.pairs_with_history(pairs, world, now=seeder.now, seed=seeder.seed, log=log)
        del pairs
        filled_ids, filled_counts = np.unique(signed["offers"], return_counts=True)
        for count in np.unique(filled_counts).tolist():
            ids = filled_ids[filled_counts == count].tolist()
            for first in range(0, len(ids), BATCH):
                Offer.objects.filter(pk__in=ids[first : first + BATCH]).update(filled_positions=count)
        offers.filter(status=OfferStatus.PUBLISHED, filled_positions__gte=F("positions")).update(
            status=OfferStatus.FILLED
        )
        offers.filter(status=OfferStatus.PUBLISHED, expires_at__lte=seeder.now).update(status=OfferStatus.EXPIRED)
        found = signed["candidates"].tolist()
        for first in range(0, len(found), BATCH):
            chunk = found[first : first + BATCH]
            CandidateProfile.objects.filter(pk__in=chunk).update(status=SearchStatus.FOUND)
            CandidateTradeIndex.objects.filter(candidate_id__in=chunk).delete()
        indexes.offer_index_rebuild()
        DailyRematch.objects.update_or_create(day=timezone.localdate(seeder.now), defaults={"profiles": 0})
    log(f"  passé du service : {signed['states']} ({time.monotonic() - started:.1f} s)")
    return signed["states"]
