from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from backoffice.middleware import session_start
from backoffice.scope import BACKOFFICE_ROLES


@receiver(user_logged_in, dispatch_uid="backoffice_session_start")
def start_backoffice_session(sender, request, user, **kwargs):
    if request is not None and (user.role in BACKOFFICE_ROLES or user.is_staff):
        session_start(request)
