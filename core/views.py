import datetime

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.models import WorkerHeartbeat


def home(request):
    return render(request, "core/home.html")


def healthz(request):
    """État du service pour la supervision : 503 si la base ne répond pas ou si aucun worker n'a donné signe
    de vie depuis `WORKER_SILENCE_SECONDS` (5 minutes). Une requête indexée, rien d'autre."""
    try:
        last_seen = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
        database = "ok"
    except DatabaseError:
        last_seen, database = None, "erreur"
    silence = datetime.timedelta(seconds=settings.WORKER_SILENCE_SECONDS)
    worker = "ok" if last_seen and timezone.now() - last_seen < silence else "arrêté"
    healthy = database == "ok" and worker == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "erreur",
            "database": database,
            "worker": worker,
            "worker_last_seen": last_seen.isoformat() if last_seen else None,
        },
        status=200 if healthy else 503,
    )
