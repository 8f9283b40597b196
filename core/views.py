import datetime

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.models import WorkerHeartbeat

WORKER_SILENCE = datetime.timedelta(minutes=2)


def home(request):
    return render(request, "core/home.html")


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "erreur"
    last_seen = None
    if database == "ok":
        last_seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    worker = "ok" if last_seen and timezone.now() - last_seen < WORKER_SILENCE else "arrêté"
    return JsonResponse(
        {
            "status": "ok" if database == "ok" else "erreur",
            "database": database,
            "worker": worker,
            "worker_last_seen": last_seen.isoformat() if last_seen else None,
        },
        status=200 if database == "ok" else 503,
    )
