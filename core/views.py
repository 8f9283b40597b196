import datetime

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults

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


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".0", "").replace(".", ",") + " Mo"


def request_too_big(request, *, file: bool):
    """413 en français : page pour un navigateur, JSON lisible pour l'API."""
    allowed = settings.UPLOAD_MAX_BYTES if file else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    what = "Le fichier envoyé" if file else "Le contenu envoyé"
    message = f"{what} est trop volumineux : {_megabytes(allowed)} au plus. Rien n'a été enregistré."
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=413)
    context = {"title": "Envoi trop volumineux", "message": message}
    return render(request, "core/request_too_big.html", context, status=413)


def bad_request(request, exception):
    """Requête refusée par Django : un corps trop gros a sa réponse 413 en français."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_big(request, file=False)
    return defaults.bad_request(request, exception)
