"""Les signaux que le back-office écoute : début de ses sessions à la connexion, et journal d'audit des
événements des entreprises (rattachements, vérification)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from backoffice.enums import AuditAction
from backoffice.middleware import session_start
from backoffice.scope import BACKOFFICE_ROLES
from employers.signals import company_event


@receiver(user_logged_in, dispatch_uid="backoffice_session_start")
def start_backoffice_session(sender, request, user, **kwargs):
    if request is not None and (user.role in BACKOFFICE_ROLES or user.is_staff):
        session_start(request)


@receiver(company_event, dispatch_uid="backoffice-audit-company-event")
def audit_company_event(sender, *, action, actor, company, membership=None, details=None, **kwargs):
    from backoffice.services import audit_record

    audit_record(
        actor=actor,
        action=AuditAction(action),
        obj=membership or company,
        company_id=company.pk,
        **(details or {}),
    )
