"""Durée des sessions du back-office : 10 heures au plus, 30 minutes sans activité au plus.

Une session de conseiller·e (ou d'administrateur·rice) porte l'heure de sa connexion et celle de sa dernière
requête ; au-delà de l'une des deux limites, elle est close (déconnexion : la session et le second facteur
vérifié disparaissent ensemble) et la page demandée traite la requête comme anonyme (renvoi à la connexion).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

SESSION_STARTED_KEY = "backoffice_session_started"
SESSION_SEEN_KEY = "backoffice_session_seen"


def session_start(request) -> None:
    """Appelée à la connexion d'un·e conseiller·e : la session du back-office commence."""
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


class BackofficeSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = request.session.get(SESSION_STARTED_KEY)
        if started is not None:
            now = time.time()
            seen = request.session.get(SESSION_SEEN_KEY, started)
            if now - started > settings.BACKOFFICE_SESSION_MAX_AGE or now - seen > settings.BACKOFFICE_SESSION_IDLE:
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous.")
            elif now - seen > 60:  # une écriture de session par minute au plus
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)
