import datetime

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults

from core.models import WorkerHeartbeat

# La page d'accueil d'un·e visiteur·se anonyme (la plus demandée) est la même pour tous, au nonce de la CSP près :
# chaque processus la rend une fois et la garde, le nonce remplacé par un témoin qu'il remet à chaque réponse. Un
# compte connecté, un message en attente ou des paramètres (« ?pour=candidat ») la font rendre comme les autres.
NONCE_SLOT = "\x00nonce-csp\x00"
_anonymous_home: dict[str, str] = {}


def anonymous_home_forget() -> None:
    """Oublie l'accueil gardé (un réglage modifié, `core.receivers`)."""
    _anonymous_home.clear()


def home(request):
    if request.user.is_authenticated or request.GET or len(get_messages(request)):
        return render(request, "core/home.html")
    nonce = getattr(request, "csp_nonce", None) or ""
    if (page := _anonymous_home.get("page")) is None:
        response = render(request, "core/home.html")
        html = response.content.decode()
        _anonymous_home["page"] = html.replace(nonce, NONCE_SLOT) if nonce else html
        return response
    return HttpResponse(page.replace(NONCE_SLOT, nonce))


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
