"""Écritures : inscription des employeurs, rattachement aux établissements, vérification des entreprises.

Un compte ne devient membre d'un établissement que si on le lui accorde :
- il crée l'établissement (SIRET encore inconnu du service) : membre approuvé ;
- l'établissement a des membres : une demande, approuvée ou refusée par l'un d'eux (`membership_decide`) ;
- l'établissement n'a pas de membre (créé par un·e conseiller·e ou par un import) : la demande est décidée
  par un·e conseiller·e du territoire (back-office) ;
- ProConnect atteste qu'il appartient à l'organisation de ce SIRET (`membership_approve_from_proconnect`).
Toutes ces décisions partent au journal d'audit (signal `employers.signals.company_event`).
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.services import magic_link_send
from employers.companies_api import CheckStatus, DirectoryCheck
from employers.enums import (
    CompanyEvent,
    MembershipSource,
    MembershipStatus,
    VerificationReason,
    VerificationSource,
    VerificationStatus,
)
from employers.models import Company, Membership
from employers.signals import company_event
from notifications.services import email_enqueue

RECENT_COMPANY = datetime.timedelta(days=91)  # « créée il y a moins de 3 mois »


class MembershipError(Exception):
    """Rattachement refusé ; le message, en français, s'affiche tel quel."""


def _event(action: CompanyEvent, *, actor, company: Company, membership: Membership | None = None, **details):
    company_event.send(
        sender=Company, action=action, actor=actor, company=company, membership=membership, details=details
    )


# --- Vérification de l'entreprise -----------------------------------------------------------------


def verification_reasons(directory: DirectoryCheck | None, *, today: datetime.date | None = None) -> list[str]:
    """Pourquoi l'entreprise doit être vérifiée par un·e conseiller·e ; vide : vérifiée d'office."""
    if directory is None or directory.status != CheckStatus.FOUND:
        return [VerificationReason.DIRECTORY_UNAVAILABLE.value]
    info, today = directory.info, today or timezone.localdate()
    reasons = []
    if not info.craft_activity_code:
        reasons.append(VerificationReason.NOT_CRAFT.value)
    if info.established_on and info.established_on > today - RECENT_COMPANY:
        reasons.append(VerificationReason.RECENT.value)
    return reasons


def _apply_directory(company: Company, directory: DirectoryCheck | None) -> None:
    if directory is None or directory.info is None:
        return
    info = directory.info
    company.craft_activity_code = info.craft_activity_code
    company.idcc_codes = list(info.idcc_codes)
    company.latitude, company.longitude = info.latitude, info.longitude
    company.established_on = info.established_on
    company.directory_checked_at = directory.checked_at
    if info.naf_code and not company.naf_code:
        company.naf_code = info.naf_code


def _set_verified(company: Company, *, source: VerificationSource, actor) -> bool:
    """Marque l'entreprise vérifiée ; True si elle ne l'était pas (ses offres sont alors mises en relation)."""
    if company.is_verified:
        return False
    company.verification_status = VerificationStatus.VERIFIED
    company.verification_source = source
    company.verified_at = timezone.now()
    company.save(update_fields=["verification_status", "verification_source", "verified_at"])
    _event(CompanyEvent.COMPANY_VERIFIED, actor=actor, company=company, source=source.value)
    return True


@transaction.atomic
def company_verify(*, company: Company, source: VerificationSource, actor=None) -> Company:
    """L'entreprise est vérifiée : ses offres en ligne sont mises en relation (recalcul après le commit)."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    _set_verified(company, source=source, actor=actor)
    return company


@transaction.atomic
def company_reject(*, company: Company, actor) -> Company:
    """Un·e conseiller·e refuse l'entreprise (n'existe pas, n'est pas celle annoncée) : plus aucune mise en
    relation pour ses offres."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    company.verification_status = VerificationStatus.REJECTED
    company.verification_source = VerificationSource.ADVISOR
    company.verified_at = timezone.now()
    company.save(update_fields=["verification_status", "verification_source", "verified_at"])
    _event(CompanyEvent.COMPANY_REJECTED, actor=actor, company=company)
    return company


@transaction.atomic
def company_flag(*, company: Company, reason: VerificationReason) -> Company:
    """Ajoute une raison de vérification (ex. signalée) ; une entreprise vérifiée le reste jusqu'à la décision
    d'un·e conseiller·e (la suspension porte sur les offres signalées, voir `offers.services`)."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    if reason.value not in company.verification_reasons:
        company.verification_reasons = [*company.verification_reasons, reason.value]
        company.save(update_fields=["verification_reasons"])
    return company


def _create_company(*, siret, name, commune, naf_code, staff_band, directory, proconnect: bool) -> Company:
    company = Company(
        siret=siret,
        name=name,
        commune=commune,
        naf_code=naf_code,
        **({"staff_band": staff_band} if staff_band else {}),
    )
    _apply_directory(company, directory)
    company.verification_reasons = verification_reasons(directory)
    company.save()
    if proconnect:
        _set_verified(company, source=VerificationSource.PROCONNECT, actor=None)
    elif not company.verification_reasons:
        _set_verified(company, source=VerificationSource.DIRECTORY, actor=None)
    return company


# --- Rattachements --------------------------------------------------------------------------------


def _notify_members_of_request(membership: Membership) -> None:
    company = membership.company
    for member in company.active_members():
        email_enqueue(
            key=f"company-membership-request:{membership.pk}:{membership.requested_at:%Y%m%d%H%M%S}:{member.pk}",
            to=member,
            template="employers/emails/membership_request",
            context={"user": member, "company": company, "membership": membership, "requester": membership.user},
            concerns=[membership.user],
        )


def _notify_requester(membership: Membership) -> None:
    user = membership.user
    if not (user.is_active and user.email):
        return
    email_enqueue(
        key=f"company-membership-decided:{membership.pk}:{membership.status}:{membership.decided_at:%Y%m%d%H%M%S}",
        to=user.email,
        template="employers/emails/membership_decided",
        context={"user": user, "company": membership.company, "membership": membership},
    )


def _approve(membership: Membership, *, by, source: str = "") -> Membership:
    membership.status = MembershipStatus.APPROVED
    membership.decided_at = timezone.now()
    membership.decided_by = by if by is not None and by.is_authenticated else None
    fields = ["status", "decided_at", "decided_by"]
    if source:
        membership.source = source
        fields.append("source")
    membership.save(update_fields=fields)
    _event(
        CompanyEvent.MEMBERSHIP_APPROVED,
        actor=by,
        company=membership.company,
        membership=membership,
        user_id=membership.user_id,
        source=membership.source,
    )
    return membership


@transaction.atomic
def company_join_or_create(
    *,
    user: User,
    siret: str,
    name: str,
    commune,
    naf_code: str = "",
    staff_band: str = "",
    directory: DirectoryCheck | None = None,
    source: MembershipSource = MembershipSource.COMPANY_ADD,
    proconnect: bool = False,
) -> Membership:
    """Rattache `user` à l'établissement `siret`.

    SIRET inconnu du service : l'établissement est créé, `user` en est membre approuvé. Établissement déjà
    inscrit : une demande (en attente) que ses membres, ou à défaut un·e conseiller·e, approuvent ou refusent ;
    `user` n'en voit rien d'ici là. MembershipError (message en français) si une demande est déjà en
    attente ou a été refusée.
    """
    if directory is not None and directory.refused:
        raise MembershipError(directory.error)
    company = Company.objects.select_for_update().filter(siret=siret).first()
    if company is None:
        company = _create_company(
            siret=siret,
            name=name,
            commune=commune,
            naf_code=naf_code,
            staff_band=staff_band,
            directory=directory,
            proconnect=proconnect,
        )
        membership = Membership.objects.create(company=company, user=user, source=source)
        return _approve(membership, by=None)
    membership = Membership.objects.select_for_update().filter(company=company, user=user).first()
    if membership is not None:
        if membership.status == MembershipStatus.APPROVED:
            return membership
        if membership.status == MembershipStatus.PENDING:
            raise MembershipError(
                f"Votre demande pour rejoindre l'établissement {siret} est déjà en attente : "
                "nous vous écrirons dès qu'elle sera acceptée ou refusée."
            )
        if membership.status == MembershipStatus.REFUSED:
            raise MembershipError(
                f"Votre demande pour rejoindre l'établissement {siret} a été refusée. Si c'est une erreur, "
                "contactez la chambre de métiers et de l'artisanat de votre territoire."
            )
        membership.status, membership.source = MembershipStatus.PENDING, source
        membership.requested_at, membership.decided_at, membership.decided_by = timezone.now(), None, None
        membership.save()
    else:
        membership = Membership.objects.create(company=company, user=user, source=source)
    _event(
        CompanyEvent.MEMBERSHIP_REQUESTED,
        actor=user,
        company=company,
        membership=membership,
        user_id=user.pk,
        source=source.value,
    )
    if proconnect:
        return _approve(membership, by=None, source=MembershipSource.PROCONNECT)
    _notify_members_of_request(membership)
    return membership


def _check_decider(membership: Membership, by, *, as_advisor: bool) -> None:
    if as_advisor:
        return
    if not Company.objects.for_member(by).filter(pk=membership.company_id).exists():
        raise MembershipError("Seul un membre de l'établissement peut décider de cette demande.")


def _close(membership: Membership, status: MembershipStatus, event: CompanyEvent, *, by) -> None:
    """Refus ou retrait : la décision, sa date et son auteur, au journal."""
    membership.status = status
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    _event(event, actor=by, company=membership.company, membership=membership, user_id=membership.user_id)


@transaction.atomic
def membership_decide(*, membership: Membership, by, approve: bool, as_advisor: bool = False) -> Membership:
    """Un membre de l'établissement (ou un·e conseiller·e du territoire, `as_advisor`) approuve ou refuse une
    demande en attente. La personne est prévenue par e-mail."""
    membership = Membership.objects.select_for_update().select_related("company", "user").get(pk=membership.pk)
    _check_decider(membership, by, as_advisor=as_advisor)
    if not membership.is_pending:
        raise MembershipError(
            f"Cette demande a déjà été traitée : {membership.get_status_display().lower()}."
            if membership.status != MembershipStatus.REMOVED
            else "Cette personne a été retirée de l'établissement."
        )
    if approve:
        _approve(membership, by=by)
    else:
        _close(membership, MembershipStatus.REFUSED, CompanyEvent.MEMBERSHIP_REFUSED, by=by)
    _notify_requester(membership)
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by) -> Membership:
    """Un membre retire un membre (ou se retire). Le dernier membre ne peut pas être retiré : l'établissement
    et ses offres resteraient sans personne pour répondre aux candidat·es."""
    membership = Membership.objects.select_for_update().select_related("company", "user").get(pk=membership.pk)
    _check_decider(membership, by, as_advisor=False)
    if not membership.is_approved:
        raise MembershipError("Cette personne n'est pas membre de l'établissement.")
    # Verrouille les membres de l'établissement : deux retraits simultanés ne laissent pas l'établissement vide.
    approved = list(
        Membership.objects.select_for_update().approved().filter(company=membership.company_id).values_list("pk")
    )
    if len(approved) <= 1:
        raise MembershipError(
            "Vous êtes le dernier membre de cet établissement : il ne peut pas rester sans personne pour répondre "
            "aux candidat·es. Archivez ses offres, ou supprimez votre compte depuis « Mes données »."
        )
    _close(membership, MembershipStatus.REMOVED, CompanyEvent.MEMBER_REMOVED, by=by)
    return membership


@transaction.atomic
def membership_approve_from_proconnect(*, user: User, siret: str) -> Company | None:
    """ProConnect atteste que `user` appartient à l'organisation de ce SIRET.

    Si l'établissement est inscrit, `user` en devient membre approuvé (sa demande en attente, ou refusée, est
    approuvée) et l'entreprise est vérifiée (ProConnect) ; renvoie l'établissement. Sinon None (l'appelant
    envoie vers l'inscription employeur, SIRET pré-rempli)."""
    company = Company.objects.select_for_update().filter(siret=siret).first()
    if company is None:
        return None
    membership, created = Membership.objects.select_for_update().get_or_create(
        company=company, user=user, defaults={"source": MembershipSource.PROCONNECT}
    )
    if not membership.is_approved:
        if created:
            _event(
                CompanyEvent.MEMBERSHIP_REQUESTED,
                actor=user,
                company=company,
                membership=membership,
                user_id=user.pk,
                source=MembershipSource.PROCONNECT.value,
            )
        _approve(membership, by=None, source=MembershipSource.PROCONNECT)
    _set_verified(company, source=VerificationSource.PROCONNECT, actor=None)
    return company


# --- Inscription ----------------------------------------------------------------------------------


@transaction.atomic
def employer_signup(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    siret: str,
    company_name: str,
    commune,
    naf_code: str = "",
    staff_band: str = "",
    directory: DirectoryCheck | None = None,
    proconnect: bool = False,
) -> User | None:
    """Crée le compte employeur et le rattache à son établissement, puis envoie le lien de connexion.

    Établissement déjà inscrit : le compte est créé avec une demande de rattachement en attente. Si l'adresse
    a déjà un compte, rien n'est créé : on lui envoie seulement un lien de connexion (la page affichée est la
    même, pour ne pas révéler quelles adresses sont inscrites). Renvoie le compte créé.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.is_active:
            magic_link_send(user=existing)
        return None
    user = User.objects.create_user(
        email=email, first_name=first_name, last_name=last_name, phone=phone, role=Role.EMPLOYER
    )
    company_join_or_create(
        user=user,
        siret=siret,
        name=company_name,
        commune=commune,
        naf_code=naf_code,
        staff_band=staff_band,
        directory=directory,
        source=MembershipSource.SIGNUP,
        proconnect=proconnect,
    )
    magic_link_send(user=user, next_url=reverse("matching:employer_home"))
    return user


@transaction.atomic
def employer_signup_complete(
    *,
    user: User,
    phone: str,
    siret: str,
    name: str,
    commune,
    naf_code: str = "",
    staff_band: str = "",
    directory: DirectoryCheck | None = None,
    proconnect: bool = False,
) -> Membership:
    """Termine l'inscription d'un compte employeur ouvert par ProConnect : son téléphone et son établissement
    (rattachement comme pour tout ajout d'établissement)."""
    if phone and phone != user.phone:
        user.phone = phone
        user.save(update_fields=["phone"])
    return company_join_or_create(
        user=user,
        siret=siret,
        name=name,
        commune=commune,
        naf_code=naf_code,
        staff_band=staff_band,
        directory=directory,
        proconnect=proconnect,
    )
