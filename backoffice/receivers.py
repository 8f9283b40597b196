"""Inscrit au journal d'audit les événements des entreprises (rattachements, vérification)."""

from django.dispatch import receiver

from backoffice.enums import AuditAction
from employers.signals import company_event


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
