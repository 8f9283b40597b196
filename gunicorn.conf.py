"""Réglages de gunicorn (lus d'office dans le dossier courant), tous modifiables par l'environnement.

Sur une plateforme (Scalingo, Clever Cloud), le processus écoute sur `$PORT` ; le proxy TLS de la
plateforme est devant. `WEB_CONCURRENCY` : nombre de processus, `WEB_THREADS` : fils par processus.
"""

import os

bind = [f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # noqa: S104 (derrière le proxy)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# Une requête plus longue est interrompue (le délai SQL du site est de 10 s).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Processus renouvelés de temps en temps (fuites de mémoire d'une bibliothèque). Pas trop souvent : un processus
# neuf recompile ses gabarits et relit ses index ; à 2 000, sous une charge de 1 700 requêtes/s, chacun des 4
# était remplacé toutes les 5 s (accueil : 1 777 requêtes/s et p99 623 ms, contre 2 641 et 300 ms à 20 000).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# L'application est chargée avant de créer les processus : mémoire partagée, démarrage plus rapide.
preload_app = True
# gunicorn ne croit les en-têtes X-Forwarded-* que de ces adresses (par défaut : la machine elle-même) ;
# Django lit le schéma HTTPS du proxy par SECURE_PROXY_SSL_HEADER et l'adresse du client par
# RATELIMIT_IP_HEADER.
if os.environ.get("FORWARDED_ALLOW_IPS"):
    forwarded_allow_ips = os.environ["FORWARDED_ALLOW_IPS"]
# Pas de journal des accès (les URL et adresses IP restent dans les journaux du routeur de la plateforme).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Journaux de gunicorn au même format que ceux de Django (LOG_FORMAT=json : une ligne JSON par événement).
if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.observability.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
        "root": {"handlers": [], "level": "WARNING"},
    }
