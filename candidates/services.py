"""Écritures sur les profils des jeunes : chaque fonction est atomique et prévient la mise en relation
(`candidates.signals`) quand un critère de correspondance change."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.services import magic_link_send
from candidates.enums import NotificationFrequency, SearchStatus
from candidates.models import CandidateProfile
from candidates.signals import profile_changed, profile_completed
from geo.models import Commune
from notifications.enums import EmailKind
from notifications.services import email_enqueue
from trades.models import Trade

PROFILE_FIELDS = frozenset(
    {
        "birth_date",
        "age_exception",
        "job_seeker",
        "commune",
        "radius_km",
        "has_driving_licence",
        "has_vehicle",
        "level",
        "contract_types",
        "available_from",
        "has_training_place",
        "training_centre",
        "presentation",
    }
)
USER_FIELDS = frozenset({"first_name", "last_name", "phone"})


@transaction.atomic
def candidate_start(
    *, user: User, birth_date: datetime.date, age_exception: str = "", first_name: str = "", last_name: str = ""
) -> CandidateProfile:
    """Crée (ou reprend) le profil incomplet d'un·e jeune après l'écran 1 ou FranceConnect."""
    user_changes = {}
    if first_name:
        user_changes["first_name"] = first_name
    if last_name:
        user_changes["last_name"] = last_name
    if user.role != Role.CANDIDATE:
        user_changes["role"] = Role.CANDIDATE
    if user_changes:
        for name, value in user_changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(user_changes))
    profile, created = CandidateProfile.objects.get_or_create(
        user=user, defaults={"birth_date": birth_date, "age_exception": age_exception}
    )
    if not created and (profile.birth_date, profile.age_exception) != (birth_date, age_exception):
        candidate_update(profile=profile, birth_date=birth_date, age_exception=age_exception)
    return profile


@transaction.atomic
def candidate_prefill(*, profile: CandidateProfile, search: dict | None) -> CandidateProfile:
    """Reprend dans un profil incomplet la recherche faite sans compte (`candidates.forms.search_prefill`) :
    commune, rayon, métier, niveau. L'écran « Où et quoi » les montre déjà remplis."""
    if not search or profile.is_complete:
        return profile
    fields = {}
    if search.get("commune"):
        fields["commune"] = Commune.objects.filter(code=search["commune"]).first() or profile.commune
    if search.get("radius_km"):
        fields["radius_km"] = search["radius_km"]
    if search.get("level"):
        fields["level"] = search["level"]
    if search.get("trade_codes"):
        fields["trades"] = list(Trade.objects.active().filter(code__in=search["trade_codes"]))
    return candidate_update(profile=profile, **fields)


@transaction.atomic
def candidate_signup(
    *,
    email: str,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    age_exception: str = "",
    search: dict | None = None,
) -> User:
    """Écran 1 : crée le compte et le profil incomplet, puis envoie le lien magique vers l'écran 2.

    `search` : la recherche faite sans compte, reprise dans le profil (`candidate_prefill`).
    Si l'adresse a déjà un compte, rien n'est créé ni modifié : la personne reçoit un lien de connexion
    (la page affichée est la même, pour ne pas révéler quelles adresses sont inscrites).
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        if existing.is_active:
            magic_link_send(user=existing, next_url="")
        return existing
    user = User.objects.create_user(email, role=Role.CANDIDATE, first_name=first_name, last_name=last_name)
    profile = candidate_start(user=user, birth_date=birth_date, age_exception=age_exception)
    candidate_prefill(profile=profile, search=search)
    magic_link_send(user=user, next_url=reverse("candidates:onboarding", kwargs={"step": 2}))
    return user


@transaction.atomic
def candidate_update(*, profile: CandidateProfile, complete: bool = False, **fields) -> CandidateProfile:
    """Modifie le profil (et le prénom, le nom, le téléphone du compte) ; `complete=True` le marque complet.

    Un profil complet dont un champ a changé est signalé (`profile_changed`, avec les champs changés) : la mise en
    relation décide si ses paires peuvent en dépendre.
    """
    unknown = set(fields) - PROFILE_FIELDS - USER_FIELDS - {"trades"}
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    changed = set()
    user = profile.user
    user_changed = [name for name in USER_FIELDS & set(fields) if getattr(user, name) != fields[name]]
    for name in user_changed:
        setattr(user, name, fields[name])
    if user_changed:
        user.save(update_fields=user_changed)
    for name in PROFILE_FIELDS & set(fields):
        if getattr(profile, name) != fields[name]:
            setattr(profile, name, fields[name])
            changed.add(name)
    completed = complete and not profile.is_complete
    if completed:
        profile.is_complete = True
        changed.add("is_complete")
    profile.save()
    if "trades" in fields:
        trade_ids = {trade.pk for trade in fields["trades"]}
        if trade_ids != set(profile.trades.values_list("pk", flat=True)):
            profile.trades.set(trade_ids)
            changed.add("trades")
    if profile.is_complete and changed:
        profile_changed.send(sender=CandidateProfile, profile=profile, fields=frozenset(changed))
    if completed:  # « Terminer mon profil » : l'accueil qui suit montre déjà les offres trouvées
        profile_completed.send(sender=CandidateProfile, profile=profile)
    return profile


def _set_status(profile: CandidateProfile, status: str, **extra) -> CandidateProfile:
    changed = profile.status != status
    profile.status = status
    for name, value in extra.items():
        setattr(profile, name, value)
    profile.save()
    if changed and profile.is_complete:
        profile_changed.send(sender=CandidateProfile, profile=profile, fields=frozenset({"status", *extra}))
    return profile


@transaction.atomic
def candidate_pause(*, profile: CandidateProfile) -> CandidateProfile:
    """« Je ne cherche plus pour l'instant » : plus de nouvelle mise en relation."""
    return _set_status(profile, SearchStatus.PAUSED)


@transaction.atomic
def candidate_resume(*, profile: CandidateProfile) -> CandidateProfile:
    """Reprendre la recherche (après une pause ou un contrat terminé)."""
    return _set_status(profile, SearchStatus.SEARCHING)


@transaction.atomic
def candidate_found_contract(*, profile: CandidateProfile, found_through_service: bool) -> CandidateProfile:
    """« J'ai trouvé un contrat » ; `found_through_service` est l'indicateur d'impact du service."""
    return _set_status(
        profile,
        SearchStatus.FOUND,
        found_contract_at=timezone.now(),
        found_through_service=found_through_service,
    )


@transaction.atomic
def candidate_set_notifications(*, profile: CandidateProfile, frequency: str) -> CandidateProfile:
    """Choisit les e-mails reçus : chaque mise en relation, un résumé par jour ou aucun."""
    profile.notification_frequency = NotificationFrequency(frequency)
    profile.save(update_fields=["notification_frequency", "updated_at"])
    return profile


# --- Des profils à jour : relance après l'inscription, « tu cherches toujours ? » tous les 2 mois ----------

SIGNUP_REMINDER_AFTER = datetime.timedelta(days=7)
STATUS_CHECK_EVERY = datetime.timedelta(days=61)  # tous les 2 mois
STATUS_SALT = "candidates.status-check"
STATUS_ANSWERS = {
    SearchStatus.SEARCHING: "Je cherche toujours",
    SearchStatus.FOUND: "J'ai trouvé",
    SearchStatus.PAUSED: "Je fais une pause",
}


def signup_reminders_send(*, now=None) -> int:
    """Une seule relance aux jeunes qui ne sont pas revenu·es dans les 7 jours qui suivent l'inscription (aucune
    activité après le premier jour) ; une clé par compte : jamais deux."""
    now = now or timezone.now()
    window = Q(
        user__date_joined__lte=now - SIGNUP_REMINDER_AFTER, user__date_joined__gt=now - 4 * SIGNUP_REMINDER_AFTER
    )
    idle = Q(user__last_activity_at__isnull=True) | Q(
        user__last_activity_at__lt=F("user__date_joined") + datetime.timedelta(days=1)
    )
    sent = 0
    for profile in CandidateProfile.objects.filter(window, idle, user__is_active=True).select_related("user"):
        with transaction.atomic():
            sent += (
                email_enqueue(
                    key=f"candidates:signup-reminder:u{profile.user_id}",
                    to=profile.user,
                    template="candidates/emails/signup_reminder",
                    context={"user": profile.user, "profile": profile},
                    kind=EmailKind.PROFILE,
                )
                is not None
            )
    return sent


def status_token(*, profile_id: int, answer: str) -> str:
    return signing.dumps([profile_id, answer], salt=STATUS_SALT)


def status_token_read(token: str) -> tuple[int, str] | None:
    try:
        profile_id, answer = signing.loads(token, salt=STATUS_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(profile_id, int) or answer not in STATUS_ANSWERS:
        return None
    return profile_id, answer


def status_checks_send(*, now=None) -> int:
    """Tous les 2 mois, aux profils complets en recherche ou en pause : « je cherche toujours / j'ai trouvé / je
    fais une pause », une réponse en un clic (lien signé, sans adresse)."""
    now = now or timezone.now()
    due = CandidateProfile.objects.filter(
        is_complete=True, status__in=[SearchStatus.SEARCHING, SearchStatus.PAUSED], user__is_active=True
    ).filter(
        Q(status_asked_at__lte=now - STATUS_CHECK_EVERY)
        | Q(status_asked_at__isnull=True, created_at__lte=now - STATUS_CHECK_EVERY)
    )
    sent = 0
    for profile in due.select_related("user"):
        with transaction.atomic():
            links = {
                answer: f"{settings.SITE_URL}/candidat/situation/{status_token(profile_id=profile.pk, answer=answer)}"
                for answer in STATUS_ANSWERS
            }
            email_enqueue(
                key=f"candidates:status-check:u{profile.user_id}:{now:%Y-%m-%d}",
                to=profile.user,
                template="candidates/emails/status_check",
                context={"user": profile.user, "profile": profile, "links": links, "answers": STATUS_ANSWERS},
                kind=EmailKind.PROFILE,
            )
            CandidateProfile.objects.filter(pk=profile.pk).update(status_asked_at=now)
            sent += 1
    return sent


@transaction.atomic
def candidate_status_confirm(*, profile: CandidateProfile, answer: str) -> CandidateProfile:
    """La réponse au « tu cherches toujours ? » : la situation change, et les paires avec elle."""
    profile = CandidateProfile.objects.select_for_update().get(pk=profile.pk)
    profile.status_confirmed_at = timezone.now()
    if answer == SearchStatus.FOUND:
        return _set_status(profile, SearchStatus.FOUND, found_contract_at=timezone.now())
    return _set_status(profile, SearchStatus(answer))
