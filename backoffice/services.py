"""Écritures du back-office : une fonction atomique par action, chacune inscrite au journal."""

import datetime
import math
import secrets

import pyotp
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.services import magic_link_send
from backoffice.enums import AuditAction, ClosureReason
from backoffice.models import AdvisorProfile, AssistedSignup, AuditLog, Cma, RecoveryCode
from candidates import services as candidate_services
from employers import services as employer_services
from employers.enums import VerificationSource, VerificationStatus
from employers.models import Company, Membership
from geo.models import Commune
from matching import services as matching_services
from matching.enums import MatchState
from notifications.services import email_enqueue
from offers import services as offer_services
from trades.models import Trade

TOTP_ISSUER = "C'est ma chance"
RECOVERY_CODE_COUNT = 10
# Après 3 échecs consécutifs, chaque essai attend 30 s, puis 60, 120, 240… ; au 10e échec, le second facteur
# est bloqué 24 heures (ou jusqu'au déblocage par l'administration). Avec un lien de connexion volé, un
# attaquant essaie donc au plus 10 codes par jour : 300 par mois, soit 300 × 3 / 1 000 000 ≈ 0,09 % de
# chances (3 codes valent à chaque instant, ±30 s), contre ≈ 12 % avec 5 essais toutes les 5 minutes.
SECOND_FACTOR_FREE_TRIES = 3
SECOND_FACTOR_BACKOFF = 30  # secondes, doublées à chaque échec de plus
SECOND_FACTOR_MAX_FAILURES = 10
SECOND_FACTOR_LOCK_DURATION = datetime.timedelta(hours=24)


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id="", **details) -> AuditLog:
    """Inscrit une action au journal. `details` : des identifiants et des codes seulement."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    return AuditLog.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        details=details,
    )


# --- Second facteur -------------------------------------------------------------------------------


def totp_provisioning_uri(advisor: AdvisorProfile) -> str:
    return pyotp.TOTP(advisor.get_totp_secret()).provisioning_uri(name=advisor.user.email, issuer_name=TOTP_ISSUER)


@transaction.atomic
def totp_enrol_start(*, advisor: AdvisorProfile) -> AdvisorProfile:
    """Tire un secret TOTP tant que le second facteur n'est pas confirmé."""
    if not advisor.totp_confirmed and not advisor.totp_secret:
        advisor.set_totp_secret(pyotp.random_base32())
        advisor.save(update_fields=["totp_secret"])
    return advisor


def _totp_counter(advisor: AdvisorProfile, code: str) -> int | None:
    """Le pas de temps du code s'il est juste (±30 s de décalage toléré), sinon None."""
    code = code.replace(" ", "")
    if not (len(code) == 6 and code.isdigit()) or not advisor.totp_secret:
        return None
    totp = pyotp.TOTP(advisor.get_totp_secret())
    now = timezone.now()
    current = totp.timecode(now)
    for delta in (0, -1, 1):
        if secrets.compare_digest(totp.generate_otp(current + delta), code):
            return current + delta
    return None


def _use_totp(advisor: AdvisorProfile, code: str) -> bool:
    counter = _totp_counter(advisor, code)
    if counter is None:
        return False
    # Un code déjà utilisé ne sert pas deux fois (mise à jour conditionnelle : sûre en concurrence).
    return bool(
        AdvisorProfile.objects.filter(pk=advisor.pk, totp_last_counter__lt=counter).update(totp_last_counter=counter)
    )


def _new_recovery_codes(advisor: AdvisorProfile) -> list[str]:
    advisor.recovery_codes.all().delete()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(advisor=advisor, code_hash=RecoveryCode.hash(c)) for c in codes)
    return codes


@transaction.atomic
def totp_confirm(*, advisor: AdvisorProfile, code: str) -> list[str] | None:
    """Confirme l'activation avec un premier code ; renvoie les 10 codes de secours (montrés une fois)."""
    if advisor.totp_confirmed or not _use_totp(advisor, code):
        return None
    AdvisorProfile.objects.filter(pk=advisor.pk).update(totp_confirmed=True)
    advisor.totp_confirmed = True
    codes = _new_recovery_codes(advisor)
    audit_record(actor=advisor.user, action=AuditAction.SECOND_FACTOR_ENROLLED, obj=advisor)
    return codes


def second_factor_is_locked(*, advisor: AdvisorProfile) -> bool:
    locked_at = advisor.totp_locked_at
    return locked_at is not None and timezone.now() - locked_at < SECOND_FACTOR_LOCK_DURATION


def second_factor_wait(*, advisor: AdvisorProfile) -> int:
    """Secondes à attendre avant le prochain essai (0 : permis), d'après les échecs consécutifs."""
    extra = advisor.totp_failures - SECOND_FACTOR_FREE_TRIES
    if extra < 0 or advisor.totp_failed_at is None:
        return 0
    until = advisor.totp_failed_at + datetime.timedelta(seconds=SECOND_FACTOR_BACKOFF * 2**extra)
    return max(0, math.ceil((until - timezone.now()).total_seconds()))


def _check_code(advisor: AdvisorProfile, code: str) -> bool:
    if _use_totp(advisor, code):
        return True
    recovery = advisor.recovery_codes.filter(code_hash=RecoveryCode.hash(code), used_at__isnull=True).first()
    if recovery and RecoveryCode.objects.filter(pk=recovery.pk, used_at__isnull=True).update(used_at=timezone.now()):
        audit_record(actor=advisor.user, action=AuditAction.RECOVERY_CODE_USED, obj=advisor)
        return True
    return False


@transaction.atomic
def second_factor_verify(*, advisor: AdvisorProfile, code: str) -> bool:
    """Vérifie un code TOTP ou un code de secours (qui est alors consommé).

    Aucun essai pendant un blocage ou une attente ; un échec est inscrit au journal, allonge l'attente du
    suivant et, au 10e, bloque le second facteur et prévient la personne par e-mail."""
    if not advisor.totp_confirmed:
        return False
    # Verrou de la ligne : deux essais simultanés ne comptent pas pour un seul échec.
    current = AdvisorProfile.objects.select_for_update().get(pk=advisor.pk)
    for field in ("totp_failures", "totp_failed_at", "totp_locked_at"):
        setattr(advisor, field, getattr(current, field))
    if second_factor_is_locked(advisor=advisor) or second_factor_wait(advisor=advisor):
        return False
    if advisor.totp_locked_at is not None:  # blocage échu : on repart de zéro
        advisor.totp_failures, advisor.totp_locked_at = 0, None
    if _check_code(advisor, code):
        advisor.totp_failures, advisor.totp_failed_at, advisor.totp_locked_at = 0, None, None
        advisor.save(update_fields=["totp_failures", "totp_failed_at", "totp_locked_at"])
        return True
    now = timezone.now()
    advisor.totp_failures += 1
    advisor.totp_failed_at = now
    audit_record(
        actor=advisor.user, action=AuditAction.SECOND_FACTOR_FAILED, obj=advisor, failures=advisor.totp_failures
    )
    if advisor.totp_failures >= SECOND_FACTOR_MAX_FAILURES:
        advisor.totp_locked_at = now
        audit_record(actor=advisor.user, action=AuditAction.SECOND_FACTOR_LOCKED, obj=advisor)
        email_enqueue(
            key=f"second-factor-locked:{advisor.pk}:{now.isoformat()}",
            to=advisor.user.email,
            template="backoffice/emails/second_factor_locked",
            context={"user": advisor.user, "failures": advisor.totp_failures, "hours": 24},
        )
    advisor.save(update_fields=["totp_failures", "totp_failed_at", "totp_locked_at"])
    return False


@transaction.atomic
def second_factor_unlock(*, actor, advisor: AdvisorProfile) -> AdvisorProfile:
    """Débloque le second facteur d'un·e conseiller·e (administration nationale)."""
    advisor.totp_failures, advisor.totp_failed_at, advisor.totp_locked_at = 0, None, None
    advisor.save(update_fields=["totp_failures", "totp_failed_at", "totp_locked_at"])
    audit_record(actor=actor, action=AuditAction.SECOND_FACTOR_UNLOCKED, obj=advisor)
    return advisor


# --- Administration nationale ---------------------------------------------------------------------


@transaction.atomic
def cma_create(*, actor, name: str, region) -> Cma:
    cma = Cma.objects.create(name=name, region=region)
    audit_record(actor=actor, action=AuditAction.CMA_CREATED, obj=cma)
    return cma


@transaction.atomic
def advisor_create(*, actor, email: str, first_name: str, last_name: str, cma, regions=(), departements=()):
    """Crée le compte d'un·e conseiller·e et lui envoie un lien de connexion."""
    user = User.objects.create_user(email, role=Role.ADVISOR, first_name=first_name, last_name=last_name)
    advisor = AdvisorProfile.objects.create(user=user, cma=cma)
    advisor.regions.set(regions)
    advisor.departements.set(departements)
    magic_link_send(user=user, next_url="/conseiller/")
    audit_record(actor=actor, action=AuditAction.ADVISOR_CREATED, obj=advisor, user_id=user.pk)
    return advisor


@transaction.atomic
def advisor_set_territories(*, actor, advisor: AdvisorProfile, regions, departements) -> AdvisorProfile:
    advisor.regions.set(regions)
    advisor.departements.set(departements)
    audit_record(
        actor=actor,
        action=AuditAction.TERRITORIES_SET,
        obj=advisor,
        regions=sorted(r.pk for r in regions),
        departements=sorted(d.pk for d in departements),
    )
    return advisor


# --- Actions sur le terrain -----------------------------------------------------------------------


@transaction.atomic
def assisted_signup_create(*, actor, email, first_name, last_name, phone="", consent: bool, **profile_fields):
    """Crée le profil d'un·e jeune rencontré·e (avec son accord) et lui envoie un lien pour qu'elle ou il
    prenne la main sur son compte."""

    if not consent:
        raise ValueError("L'accord de la personne est obligatoire.")
    user = User.objects.create_user(email, role=Role.CANDIDATE, first_name=first_name, last_name=last_name, phone=phone)
    profile = candidate_services.candidate_start(user=user, birth_date=profile_fields.pop("birth_date"))
    profile = candidate_services.candidate_update(profile=profile, complete=True, **profile_fields)
    AssistedSignup.objects.create(candidate=profile, advisor=actor, consent_at=timezone.now())
    magic_link_send(user=user)
    audit_record(actor=actor, action=AuditAction.CANDIDATE_CREATED, obj=profile, consent=True)
    return profile


@transaction.atomic
def candidate_pause_or_close(*, actor, candidate, close: bool, reason: str):

    if reason == ClosureReason.CONTRACT_FOUND:
        signed_here = candidate.matches.filter(state=MatchState.CONTRACT_SIGNED).exists()
        candidate_services.candidate_found_contract(profile=candidate, found_through_service=signed_here)
    else:
        candidate_services.candidate_pause(profile=candidate)
    action = AuditAction.CANDIDATE_CLOSED if close else AuditAction.CANDIDATE_PAUSED
    audit_record(actor=actor, action=action, obj=candidate, reason=reason)
    return candidate


@transaction.atomic
def candidate_resume_by_advisor(*, actor, candidate):

    candidate_services.candidate_resume(profile=candidate)
    audit_record(actor=actor, action=AuditAction.CANDIDATE_RESUMED, obj=candidate)
    return candidate


@transaction.atomic
def company_get_or_create(*, actor, siret: str, name: str = "", commune=None):
    """L'entreprise de ce SIRET, créée si elle n'existe pas encore."""

    company = Company.objects.filter(siret=siret).first()
    if company is None:
        # Créée par un·e conseiller·e : vérifiée par elle ou lui ; sans membre (un compte qui s'inscrit avec ce
        # SIRET fait une demande, décidée par un·e conseiller·e du territoire).
        company = Company.objects.create(
            siret=siret,
            name=name,
            commune=commune,
            verification_status=VerificationStatus.VERIFIED,
            verification_source=VerificationSource.ADVISOR,
            verified_at=timezone.now(),
        )
        audit_record(actor=actor, action=AuditAction.COMPANY_CREATED, obj=company)
    return company


@transaction.atomic
def offer_create_for_company(*, actor, company, publish: bool = True, **fields):

    offer = offer_services.offer_create(company=company, publish=publish, **fields)
    audit_record(actor=actor, action=AuditAction.OFFER_CREATED, obj=offer, company_id=company.pk)
    return offer


@transaction.atomic
def offer_update_by_advisor(*, actor, offer, **fields):

    offer = offer_services.offer_update(offer=offer, **fields) or offer
    audit_record(actor=actor, action=AuditAction.OFFER_UPDATED, obj=offer, fields=sorted(fields))
    return offer


@transaction.atomic
def offer_close_by_advisor(*, actor, offer, reason: str):

    offer_services.offer_archive(offer=offer)
    audit_record(actor=actor, action=AuditAction.OFFER_CLOSED, obj=offer, reason=reason)
    return offer


@transaction.atomic
def match_propose_by_advisor(*, actor, candidate, offer, failed_rules=(), reason: str = ""):
    """Une paire proposée à la main ; si elle passe outre à des règles (`failed_rules`), leurs noms et la
    raison (un code de `ForceReason`) vont au journal."""

    match = matching_services.match_propose_by_hand(candidate=candidate, offer=offer, by_user=actor)
    forced = {"failed_rules": list(failed_rules), "reason": reason} if failed_rules else {}
    audit_record(
        actor=actor,
        action=AuditAction.MATCH_PROPOSED,
        obj=match,
        candidate_id=candidate.pk,
        offer_id=offer.pk,
        **forced,
    )
    return match


@transaction.atomic
def match_withdraw_by_advisor(*, actor, match):
    """Retire une paire proposée à la main (`matching.services.match_withdraw_by_hand`)."""
    match = matching_services.match_withdraw_by_hand(match=match)
    audit_record(actor=actor, action=AuditAction.MATCH_WITHDRAWN, obj=match)
    return match


@transaction.atomic
def match_outcome_by_advisor(*, actor, match, state: str):

    match = matching_services.match_set_outcome(match=match, state=state) or match
    audit_record(actor=actor, action=AuditAction.MATCH_OUTCOME, obj=match, state=state)
    return match


@transaction.atomic
def offers_import(*, actor, rows: list[dict]) -> dict[str, int]:
    """Importe les lignes vérifiées par `importers.parse_offers_csv` : tout ou rien."""

    communes = Commune.objects.in_bulk({row["commune_code"] for row in rows})
    trades = Trade.objects.in_bulk({row["trade_id"] for row in rows})
    counts = {"companies": 0, "offers": 0}
    for row in rows:
        commune = communes[row["commune_code"]]
        company = company_get_or_create(actor=actor, siret=row["siret"], name=row["name"], commune=commune)
        offer_create_for_company(
            actor=actor,
            company=company,
            trade=trades[row["trade_id"]],
            levels=row["levels"],
            contract_types=row["contract_types"],
            start_date=datetime.date.fromisoformat(row["start_date"]) if row["start_date"] else None,
            positions=row["positions"],
            commune=commune,
            description=row["description"],
        )
        counts["offers"] += 1
    counts["companies"] = len({row["siret"] for row in rows})
    audit_record(actor=actor, action=AuditAction.IMPORT_DONE, object_type="import", **counts)
    return counts


# --- Entreprises : vérification, rattachements, signalements ---------------------------------------


@transaction.atomic
def company_decide_by_advisor(*, actor, company, verify: bool):
    """Un·e conseiller·e du territoire vérifie l'entreprise (ses offres sont mises en relation) ou la refuse.
    Inscrit au journal par `employers.services` (signal `company_event`)."""
    if verify:
        return employer_services.company_verify(company=company, source=VerificationSource.ADVISOR, actor=actor)
    return employer_services.company_reject(company=company, actor=actor)


@transaction.atomic
def membership_decide_by_advisor(*, actor, membership: Membership, approve: bool):
    """Demande de rattachement à une entreprise sans membre : décidée par un·e conseiller·e du territoire."""
    if membership.company.members.exists():
        raise employer_services.MembershipError(
            "Cette entreprise a des membres : ce sont eux qui décident des demandes pour la rejoindre."
        )
    return employer_services.membership_decide(membership=membership, by=actor, approve=approve, as_advisor=True)


@transaction.atomic
def offer_reports_decide_by_advisor(*, actor, offer, keep: bool):
    offer = offer_services.offer_reports_decide(offer=offer, keep=keep)
    audit_record(actor=actor, action=AuditAction.REPORTS_DECIDED, obj=offer, kept=keep)
    return offer
