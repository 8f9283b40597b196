"""Les signaux que le back-office écoute : début de ses sessions à la connexion, et journal d'audit des
événements des entreprises (rattachements, vérification) ; sous SQLite, la fonction de la recherche."""

from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from backoffice.enums import AuditAction
from backoffice.middleware import session_start
from backoffice.scope import BACKOFFICE_ROLES
from backoffice.search import sqlite_search_text
from backoffice.services import audit_record
from employers.signals import company_event


@receiver(user_logged_in, dispatch_uid="backoffice_session_start")
def start_backoffice_session(sender, request, user, **kwargs):
    if request is not None and (user.role in BACKOFFICE_ROLES or user.is_staff):
        session_start(request)


@receiver(company_event, dispatch_uid="backoffice-audit-company-event")
def audit_company_event(sender, *, action, actor, company, membership=None, details=None, **kwargs):
    audit_record(
        actor=actor,
        action=AuditAction(action),
        obj=membership or company,
        company_id=company.pk,
        **(details or {}),
    )


@receiver(connection_created, dispatch_uid="backoffice-sqlite-search-text")
def declare_search_text(sender, connection, **kwargs):
    """`cm_search_text` (créée par une migration sous PostgreSQL) pour le chemin simple de SQLite."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cm_search_text", -1, sqlite_search_text, deterministic=True)
