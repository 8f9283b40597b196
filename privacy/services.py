"""Écritures de l'application privacy : anonymisation, suppression de compte, purges de conservation."""

import secrets

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import MagicLink, User
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from candidates.services import candidate_pause
from employers.models import Company, Membership
from matching.indexes import candidate_index_sync
from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail, OutboxSms, UndeliverableAddress
from notifications.services import email_enqueue, outbox_redact
from offers.enums import OfferStatus
from offers.models import Offer
from offers.services import offer_archive
from privacy import retention
from privacy.enums import AnonymisationReason
from privacy.models import AnonymisationRecord


def anonymous_email() -> str:
    """Adresse de remplacement tirée au hasard : on ne peut pas retrouver l'ancienne."""
    return f"anonyme-{secrets.token_hex(12)}@{retention.ANONYMOUS_EMAIL_DOMAIN}"


def is_anonymised(user: User) -> bool:
    return user.email.endswith("@" + retention.ANONYMOUS_EMAIL_DOMAIN)


def _blank(instance, field_names) -> list[str]:
    """Vide les champs existants de `field_names` ; renvoie ceux qui ont été vidés."""
    model_fields = {f.name: f for f in instance._meta.concrete_fields}
    changed = []
    for name in field_names:
        field = model_fields.get(name)
        if field is None:
            continue
        setattr(instance, name, None if field.null else "")
        changed.append(name)
    return changed


def _anonymise_candidate_profile(user: User) -> None:
    profile = CandidateProfile.objects.filter(user=user).first()
    if profile is None:
        return
    if profile.status != SearchStatus.FOUND:
        candidate_pause(profile=profile)  # le profil ne reçoit plus de mises en relation
    changed = _blank(profile, retention.CANDIDATE_BLANKED_FIELDS)
    if profile.birth_date and retention.CANDIDATE_BIRTH_DATE_KEEP == "year":
        profile.birth_date = profile.birth_date.replace(month=1, day=1)
        changed.append("birth_date")
    profile.save(update_fields=[*changed, "updated_at"])
    # L'index de la mise en relation copie la date de naissance : il est vidé (le profil ne cherche plus).
    candidate_index_sync(profile=profile, trade_ids=[], searching=False)
    # Les paires gardent leur état (statistiques) mais ne sont plus proposées.
    profile.matches.filter(is_active=True).update(is_active=False, updated_at=timezone.now())


def _delete_linked_rows(user: User) -> None:
    for label, field in retention.USER_LINKED_ROWS_DELETED:
        try:
            model = apps.get_model(label)
        except LookupError:  # application absente
            continue
        model.objects.filter(**{field: user}).delete()


def _leave_companies(user: User) -> None:
    """L'employeur quitte ses entreprises ; une entreprise sans autre membre voit ses offres archivées.

    L'entreprise (SIRET, nom, commune : données publiques du répertoire SIRENE) et ses offres restent pour
    les statistiques ; elle n'a plus aucun contact.
    """
    companies = list(Company.objects.for_member(user))
    Membership.objects.filter(user=user).delete()
    for company in companies:
        if not company.members.exists():
            offers = Offer.objects.filter(company=company)
            for offer in offers.exclude(status=OfferStatus.ARCHIVED).order_by("pk"):
                offer_archive(offer=offer)
            offers_blank_contact(offers=offers)


def offers_blank_contact(*, offers) -> int:
    """Efface les champs de contact des offres (s'il en existe : voir retention.OFFER_CONTACT_FIELDS)."""
    model_fields = {f.name for f in offers.model._meta.concrete_fields}
    fields = [name for name in retention.OFFER_CONTACT_FIELDS if name in model_fields]
    if not fields:
        return 0
    return offers.update(**dict.fromkeys(fields, ""))


@transaction.atomic
def account_anonymise(*, user: User, reason: str = AnonymisationReason.INACTIVE) -> User:
    """Efface les données personnelles du compte et garde, anonymes, celles des statistiques.

    Effacés : nom, prénom, téléphone, e-mail (remplacé), présentation, CFA, exception d'âge, jour et mois
    de naissance, identité FranceConnect, liens de connexion, e-mails envoyés à l'adresse et son refus
    éventuel par son serveur, index de mise en relation, objet et texte des e-mails envoyés à d'autres qui
    la citent. Le compte ne peut plus servir ; le profil ne cherche plus (sauf « contrat trouvé », gardé).
    Gardés : profil (année de naissance, commune, métiers, niveau, situation), mises en relation et leurs
    états (désactivées), entreprises et offres.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_anonymised(user):
        return user
    old_email = user.email
    MagicLink.objects.filter(user=user).delete()
    OutboxEmail.objects.filter(to__iexact=old_email).delete()
    outbox_redact(OutboxEmail.objects.concerning(user))  # e-mails envoyés à d'autres qui la citent
    _leave_companies(user)
    UndeliverableAddress.objects.filter(email__iexact=old_email).delete()
    _delete_linked_rows(user)
    _anonymise_candidate_profile(user)
    _blank(user, retention.USER_BLANKED_FIELDS)
    user.email = anonymous_email()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # change aussi l'empreinte de session : les sessions ouvertes tombent
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    AnonymisationRecord.objects.create(reason=reason, role=user.role)
    return user


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Suppression demandée par la personne (« Mes données ») : effet immédiat."""
    return account_anonymise(user=user, reason=AnonymisationReason.REQUESTED)


def last_activity(user: User):
    return user.last_activity_at or user.date_joined


def inactivity_warning_key(user: User) -> str:
    """Une alerte par période d'inactivité : si la personne revient puis repart, une nouvelle alerte part."""
    return f"privacy:inactivity-warning:{user.pk}:{last_activity(user):%Y%m%d%H%M%S}"


@transaction.atomic
def inactivity_warn(*, user: User) -> bool:
    """Prévient la personne que son compte sera anonymisé ; renvoie False si déjà prévenue."""
    deadline = last_activity(user) + retention.INACTIVE_ACCOUNT
    email = email_enqueue(
        key=inactivity_warning_key(user),
        to=user,
        template="privacy/emails/inactivity_warning",
        context={"user": user, "deadline": deadline, "days": retention.INACTIVITY_WARNING_AHEAD.days},
    )
    return email is not None


@transaction.atomic
def unfinished_signup_purge(*, user: User) -> None:
    """Supprime une inscription jamais terminée (aucune statistique n'en a besoin)."""
    OutboxEmail.objects.filter(to__iexact=user.email).delete()
    outbox_redact(OutboxEmail.objects.concerning(user))
    UndeliverableAddress.objects.filter(email__iexact=user.email).delete()
    role = user.role
    user.delete()
    AnonymisationRecord.objects.create(reason=AnonymisationReason.UNFINISHED_SIGNUP, role=role)


def sent_emails_redact(*, now=None) -> int:
    """Efface l'objet et le texte des e-mails partis (ou abandonnés) depuis plus de 30 jours."""
    cutoff = (now or timezone.now()) - retention.SENT_EMAIL_CONTENT
    old = OutboxEmail.objects.filter(redacted_at__isnull=True).filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=cutoff) | Q(status=OutboxStatus.FAILED, created_at__lt=cutoff)
    )
    return outbox_redact(old)


def sent_sms_redact(*, now=None) -> int:
    """Efface le texte des SMS partis, refusés, écartés ou abandonnés depuis plus de 30 jours (le coût reste)."""
    now = now or timezone.now()
    cutoff = now - retention.SENT_EMAIL_CONTENT
    return (
        OutboxSms.objects.filter(redacted_at__isnull=True, created_at__lt=cutoff)
        .exclude(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        .update(body="", redacted_at=now)
    )


def task_results_purge(*, now=None) -> int:
    """Supprime les tâches de fond terminées depuis plus d'un jour (file en base, django-tasks-db)."""
    try:
        model = apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:  # autre file de tâches
        return 0
    cutoff = (now or timezone.now()) - retention.TASK_RESULTS_AFTER_FINISH
    count, _ = model.objects.filter(finished_at__lt=cutoff).delete()
    return count


def magic_links_purge(*, now=None) -> int:
    """Supprime les liens (connexion, liaison FranceConnect) expirés depuis plus d'un jour."""
    now = now or timezone.now()
    deleted = 0
    for label in retention.EXPIRING_LINK_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        count, _ = model.objects.filter(expires_at__lt=now - retention.MAGIC_LINK_AFTER_EXPIRY).delete()
        deleted += count
    return deleted
