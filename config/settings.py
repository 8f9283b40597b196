"""Réglages de C'est ma chance.

Tout vient de variables d'environnement (documentées dans `.env.example`) : la production exécute le
même code que le poste de développement, seules les valeurs changent.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire quand DEBUG est désactivé.")
    SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 (DEBUG seulement)
# Administration technique (/admin/) : éteinte (404) sauf si ce réglage l'allume ; par défaut, seulement avec DEBUG.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "django_tasks_db",
    "ninja",
    "anymail",
    "core",
    "geo",
    "trades",
    "accounts",
    "notifications",
    "employers",
    "candidates",
    "offers",
    "matching",
    "stats",
    "privacy",
    "backoffice",
    "franceconnect",
    "partners",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.StatementTimeoutMiddleware",
    "core.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "backoffice.middleware.BackofficeSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
PUBLIC_API = "config.api.api"  # l'API publique, que lisent sa documentation et son schéma (partners/openapi.py)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.service",
                "accounts.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Plusieurs processus (serveur web et worker) écrivent dans le même fichier.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Cache de 256 Mo et lecture par mmap : les index de la mise en relation tiennent en mémoire.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-262144; PRAGMA mmap_size=1073741824;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"

CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            # Redis arrêté : le cache répond « absent » au lieu d'une erreur 500 (délai d'une demi-seconde au
            # plus), et les limites de débit, qui comptent dans ce cache, laissent passer (core.ratelimit).
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Taille des requêtes (core.middleware.RequestSizeLimitMiddleware répond 413 avant de lire le corps) :
# formulaires et API jusqu'à 1 Mo ; un fichier (import CSV du back-office) jusqu'à 2 Mo.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(2 * 1024 * 1024)))
# Un fichier reçu reste en mémoire (jusqu'à cette taille) : aucun fichier temporaire sur le disque.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# Courriels : en développement ils s'affichent dans la console ; ils restent aussi dans l'outbox.
EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "25")),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        # STARTTLS ; le certificat du serveur est vérifié (autorités du système, ou SSL_CERT_FILE).
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        # Un serveur qui ne répond plus bloque le worker au plus ce temps ; l'e-mail est réessayé.
        "timeout": float(env("EMAIL_TIMEOUT", "20")),
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "C'est ma chance <ne-pas-repondre@cestmachance.fr>")

# Données de référence (instantanés en développement et en CI, API officielles en production).
GEO_DATA_DIR = Path(env("GEO_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "geo")))
ROME_DATA_DIR = Path(env("ROME_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "rome")))
GEO_API_URL = env("GEO_API_URL", "https://geo.api.gouv.fr")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Remplace la configuration par défaut de Django (qui écrirait une seconde fois chaque ligne).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Tâches périodiques du worker : chemin de la tâche -> période en secondes.
PERIODIC_TASKS = {
    "notifications.tasks.sweep_outbox": int(env("OUTBOX_SWEEP_SECONDS", "60")),
}
# Un worker sans signe de vie depuis ce temps est mort : ses tâches en cours sont remises en file.
WORKER_DEAD_SECONDS = int(env("WORKER_DEAD_SECONDS", "60"))
# Un envoi d'e-mail réclamé depuis ce temps a été interrompu (worker tué) : il est repris. Plus long que le
# délai SMTP (EMAIL_TIMEOUT), pour ne jamais reprendre un envoi encore en cours.
OUTBOX_STALE_CLAIM_SECONDS = int(env("OUTBOX_STALE_CLAIM_SECONDS", "600"))
# Premier délai avant de réessayer un e-mail (puis double à chaque échec, jusqu'à 6 h).
OUTBOX_RETRY_SECONDS = int(env("OUTBOX_RETRY_SECONDS", "60"))
# E-mails envoyés par une même connexion SMTP (puis une nouvelle connexion).
OUTBOX_BATCH_SIZE = int(env("OUTBOX_BATCH_SIZE", "100"))
# Relais SMTP qui refuse tout ou ne répond plus : pause de OUTBOX_RETRY_SECONDS, doublée à chaque nouvel
# échec jusqu'à ce plafond ; un relais revenu est servi au plus tard ce temps-là après son retour.
OUTBOX_PAUSE_MAX_SECONDS = int(env("OUTBOX_PAUSE_MAX_SECONDS", "300"))

# Événements de l'opérateur d'envoi des e-mails (django-anymail : rebonds, plaintes) sur
# /anymail/<opérateur>/tracking/, protégés par l'authentification HTTP « utilisateur:mot de passe » ; sans
# secret, les webhooks ne sont pas servis.
ANYMAIL_WEBHOOK_SECRET = env("ANYMAIL_WEBHOOK_SECRET", "")
ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRET} if ANYMAIL_WEBHOOK_SECRET else {}

# SMS : API des SMS transactionnels de Brevo (opérateur français). Sans clé, aucun SMS ne part (ils attendent).
SMS_API_URL = env("SMS_API_URL", "https://api.brevo.com/v3").rstrip("/")
SMS_API_KEY = env("SMS_API_KEY", "")
SMS_API_TIMEOUT = float(env("SMS_API_TIMEOUT", "10"))
SMS_SENDER = env("SMS_SENDER", "MaChance")  # 11 caractères au plus
# Les accusés de réception et réponses (STOP) arrivent sur /sms/evenements/<SMS_WEBHOOK_SECRET>.
SMS_WEBHOOK_SECRET = env("SMS_WEBHOOK_SECRET", "")
SMS_DAILY_CAP = int(env("SMS_DAILY_CAP", "3"))  # SMS par personne et par jour, hors codes de vérification
SMS_QUIET_HOURS = (20, 8)  # ni SMS entre 20 h et 8 h (heure de Paris) : ils partent à 8 h
SMS_CREDIT_EUROS = env("SMS_CREDIT_EUROS", "0.045")  # prix d'un crédit Brevo (un SMS de 160 caractères en France)
PERIODIC_TASKS["notifications.tasks.sweep_sms_outbox"] = int(env("OUTBOX_SWEEP_SECONDS", "60"))

# Formulaires DSFR : on signale les champs facultatifs, pas les obligatoires (voir core.forms.BaseForm).
DSFR_MARK_OPTIONAL_FIELDS = True

# --- privacy : sécurité, données personnelles, durées de conservation ---
from django.utils.csp import CSP  # noqa: E402

TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")
# Content-Security-Policy stricte : aucun script ni style en ligne sans le nonce de la page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF, *env_list("CSP_FORM_ACTION_EXTRA")],
    "frame-ancestors": [CSP.NONE],
}
SECURE_HSTS_SECONDS = 0 if DEBUG else int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Délai maximal d'une requête SQL du site web (PostgreSQL) ; 0 le désactive. Le worker n'est pas concerné.
DATABASE_STATEMENT_TIMEOUT_MS = int(env("DATABASE_STATEMENT_TIMEOUT_MS", "10000"))
# Exploitant, contact, hébergeur (mentions légales, security.txt).
OPERATOR_NAME = "Chambre de Métiers et de l'Artisanat Hauts-de-France"
CONTACT_EMAIL = env("CONTACT_EMAIL", "contact@cestmachance.fr")
DPO_EMAIL = env("DPO_EMAIL", CONTACT_EMAIL)
SECURITY_CONTACT_EMAIL = env("SECURITY_CONTACT_EMAIL", CONTACT_EMAIL)
HOSTING_PROVIDER = env("HOSTING_PROVIDER", "Hébergeur non renseigné (réglage HOSTING_PROVIDER)")
# Bouton « Je donne mon avis » : masqué tant que ces deux identifiants ne sont pas réglés.
JDMA_PRODUCT_ID = env("JDMA_PRODUCT_ID", "")
JDMA_BUTTON_ID = env("JDMA_BUTTON_ID", "")
# Limites de débit par IP des URL qui ne limitent pas elles-mêmes (core.middleware.RateLimitMiddleware).
RATE_LIMITS = {
    "geo:commune_search": (600, 3600),  # autocomplétion : une requête par frappe
    "accounts:link_open": (60, 3600),
    "accounts:link_consume": (60, 3600),
    "franceconnect:link_open": (60, 3600),
    "franceconnect:link_confirm": (60, 3600),
}
# Durées de conservation : privacy/retention.py. Purges et anonymisations quotidiennes :
PERIODIC_TASKS["privacy.tasks.retention_run"] = 60 * 60 * 24

# --- employers / offers ---
# API Recherche d'entreprises (annuaire des entreprises) : pré-remplissage de l'inscription par SIRET.
COMPANIES_API_URL = env("COMPANIES_API_URL", "https://recherche-entreprises.api.gouv.fr")
COMPANIES_API_TIMEOUT = float(env("COMPANIES_API_TIMEOUT", "3"))
PERIODIC_TASKS["offers.tasks.expire_due_offers"] = 3600
PERIODIC_TASKS["offers.tasks.send_expiry_reminders"] = 3600

# --- franceconnect : connexion des jeunes avec FranceConnect v2 (désactivée si une valeur manque) ---
FRANCECONNECT_BASE_URL = env("FRANCECONNECT_BASE_URL", "").rstrip("/")
FRANCECONNECT_CLIENT_ID = env("FRANCECONNECT_CLIENT_ID", "")
FRANCECONNECT_CLIENT_SECRET = env("FRANCECONNECT_CLIENT_SECRET", "")
FRANCECONNECT_TIMEOUT = float(env("FRANCECONNECT_TIMEOUT", "10"))
# --- franceconnect : connexion des professionnel·les avec ProConnect (désactivée si une valeur manque) ---
PROCONNECT_BASE_URL = env("PROCONNECT_BASE_URL", "").rstrip("/")
PROCONNECT_CLIENT_ID = env("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_TIMEOUT = float(env("PROCONNECT_TIMEOUT", "10"))

# --- matching (mise en relation) ---
# Relances (7 jours) et expiration (21 jours) : toutes les heures ; résumé quotidien des candidat·es.
PERIODIC_TASKS["matching.tasks.remind_and_expire"] = 60 * 60
PERIODIC_TASKS["matching.tasks.daily_digests"] = 60 * 60 * 24
PERIODIC_TASKS["matching.tasks.nudge_stalled"] = 60 * 60
PERIODIC_TASKS["candidates.tasks.keep_profiles_alive"] = 60 * 60 * 24
# Toutes les heures : ne fait rien tant que le jour n'a pas changé (`DailyRematch`), puis recalcule les profils
# dont un anniversaire ou la disponibilité change les paires ce jour-là.
PERIODIC_TASKS["matching.tasks.rematch_daily"] = 60 * 60
# E-mails écrits dans des fichiers (tests du worker, recette) : EMAIL_BACKEND=...filebased.EmailBackend.
if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend") and env("EMAIL_FILE_PATH", ""):
    MAILERS["default"]["OPTIONS"] = {"file_path": env("EMAIL_FILE_PATH")}

# --- stats, partners : statistiques publiques, données ouvertes, API publique ---
PERIODIC_TASKS["stats.tasks.refresh_stats"] = 3600
PERIODIC_TASKS["partners.tasks.export_offers"] = 24 * 3600
EXPORTS_DIR = Path(env("EXPORTS_DIR", str(BASE_DIR / "var" / "exports")))
API_ANONYMOUS_RATE = int(env("API_ANONYMOUS_RATE", "60"))  # requêtes par minute et par adresse IP
API_PARTNER_RATE = int(env("API_PARTNER_RATE", "1000"))  # requêtes par minute et par clé d'API
# Diffusion des offres sur La bonne alternance (API « job/v1/offer » d'api.apprentissage.beta.gouv.fr) : éteinte
# tant que la clé d'API du partenaire manque. Voir docs/api/la-bonne-alternance.md.
LBA_API_URL = env("LBA_API_URL", "https://api.apprentissage.beta.gouv.fr/api").rstrip("/")
LBA_API_KEY = env("LBA_API_KEY", "")
LBA_API_TIMEOUT = float(env("LBA_API_TIMEOUT", "10"))
LBA_RETRY_SECONDS = int(env("LBA_RETRY_SECONDS", "60"))  # premier délai avant un nouvel essai, puis double
# Un envoi réclamé depuis ce temps a été interrompu (worker tué) : il est repris. Plus long que le délai HTTP.
LBA_STALE_CLAIM_SECONDS = int(env("LBA_STALE_CLAIM_SECONDS", "600"))
PERIODIC_TASKS["partners.tasks.sweep_lba_publications"] = int(env("LBA_SWEEP_SECONDS", "300"))

# --- candidates : parcours candidat·e ---
# Les gabarits DSFR des cases à cocher et boutons radio chargent widget_tweaks (dépendance de django-dsfr).
if "widget_tweaks" not in INSTALLED_APPS:
    INSTALLED_APPS.append("widget_tweaks")
# Les gabarits de django-dsfr (options radio et cases DSFR, erreurs en « fr-error-text ») remplacent ceux de
# django.forms seulement si « dsfr » le précède (FORM_RENDERER = TemplatesSetting).
if INSTALLED_APPS.index("dsfr") > INSTALLED_APPS.index("django.forms"):
    INSTALLED_APPS.remove("dsfr")
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django.forms"), "dsfr")
# Les formulaires « S'identifier avec FranceConnect / ProConnect » et « Se déconnecter » mènent au fournisseur.
for _oidc_base_url in (FRANCECONNECT_BASE_URL, PROCONNECT_BASE_URL):
    if _oidc_base_url:
        from urllib.parse import urlsplit

        SECURE_CSP["form-action"].append("{0.scheme}://{0.netloc}".format(urlsplit(_oidc_base_url)))

# Derrière un proxy de confiance : l'en-tête qui porte l'adresse du client (ex. HTTP_X_FORWARDED_FOR). Il
# n'est lu que pour les requêtes venues d'une adresse de TRUSTED_PROXIES (réseaux CIDR de nos proxys).
RATELIMIT_IP_HEADER = env("RATELIMIT_IP_HEADER", "")

# --- production : serveur d'application, fichiers statiques, stockage, supervision ---
# Fichiers statiques servis par WhiteNoise (aucun serveur de fichiers à côté). En production, noms hachés
# (cache d'un an) et versions compressées, produits par `collectstatic` ; sans manifeste (développement,
# tests), les fichiers sont lus dans les applications à chaque requête.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
if STATIC_MANIFEST:
    STORAGES["staticfiles"] = {"BACKEND": "core.storage.StaticFilesStorage"}

# Connexions à la base gardées d'une requête à l'autre, vérifiées avant d'être réutilisées.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)

# Préfixe des clés du cache : plusieurs environnements (recette, production, tests) sur un même Redis.
if env("CACHE_KEY_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX")

# Sessions en base : toutes les instances web les partagent (lues d'abord dans Redis quand il y en a un).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if env("REDIS_URL") else "django.contrib.sessions.backends.db"
)

# Fichiers écrits pendant l'exécution (exports) : par l'API de stockage de Django, sur disque en
# développement, dans un stockage objet compatible S3 en production (aucun fichier local entre instances).
S3_BUCKET = env("S3_BUCKET", env("AWS_STORAGE_BUCKET_NAME", ""))
if S3_BUCKET:
    _s3_options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env("S3_ENDPOINT_URL", env("AWS_S3_ENDPOINT_URL")) or None,
        "region_name": env("S3_REGION", env("AWS_S3_REGION_NAME")) or None,
        "access_key": env("S3_ACCESS_KEY_ID", env("AWS_ACCESS_KEY_ID")) or None,
        "secret_key": env("S3_SECRET_ACCESS_KEY", env("AWS_SECRET_ACCESS_KEY")) or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "addressing_style": env("S3_ADDRESSING_STYLE", "path"),
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": "media"}}
    STORAGES["exports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "exports"},
    }
else:
    STORAGES["exports"] = {"BACKEND": "core.storage.ExportsFileSystemStorage"}

# Journaux en JSON (une ligne par événement, lisible par l'agrégateur de la plateforme) : LOG_FORMAT=json.
LOGGING["formatters"]["json"] = {"()": "core.observability.JsonFormatter"}
if env("LOG_FORMAT", "plain") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# Erreurs remontées à Sentry (facultatif) : aucune donnée personnelle (core.observability.sentry_before_send).
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from core.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", "production"))

# /healthz répond 503 quand aucun worker n'a donné signe de vie depuis ce délai.
WORKER_SILENCE_SECONDS = int(env("WORKER_SILENCE_SECONDS", "300"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# --- backoffice : espace des conseiller·es ---
# Une session de conseiller·e dure 10 heures au plus, et se ferme après 30 minutes sans activité.
BACKOFFICE_SESSION_MAX_AGE = 10 * 60 * 60
BACKOFFICE_SESSION_IDLE = 30 * 60
# Clé (Fernet) qui chiffre les secrets TOTP en base, gardée hors de la base ; plusieurs clés séparées par des
# virgules pour une rotation (la première chiffre). En développement, tirée de SECRET_KEY si absente.
TOTP_ENCRYPTION_KEY = env("TOTP_ENCRYPTION_KEY", "")
if not TOTP_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("TOTP_ENCRYPTION_KEY est obligatoire quand DEBUG est désactivé.")
    import base64
    import hashlib

    TOTP_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(f"totp:{SECRET_KEY}".encode()).digest()).decode()
