"""Kinerja settings: one module, read from the environment.

Every variable is listed in the README. Development defaults are safe (DEBUG off, a generated
secret key kept out of the repository); PRODUCTION=true turns on every HTTPS protection and
refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kinerja.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KINERJA_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be true when PRODUCTION is true")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when PRODUCTION is true")
    # Outside production a random key is made once and kept beside the data, never in git.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PRODUCTION is true")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies of ours stand in front of the app (0: clients connect directly).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "kinerja.accounts",
    "kinerja.audit",
    "kinerja.org",
    "kinerja.planning",
    "kinerja.measurement",
    "kinerja.collection",
    "kinerja.sop",
    "kinerja.documents",
    "kinerja.monev",
    "kinerja.regional",
    "kinerja.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kinerja.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "kinerja.audit.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kinerja.web.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinerja.urls"
WSGI_APPLICATION = "kinerja.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web-login"
LOGIN_REDIRECT_URL = "web-home"
LOGOUT_REDIRECT_URL = "web-login"

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
                "django.template.context_processors.i18n",
                "kinerja.web.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or another engine) when DATABASE_URL says so.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "kinerja.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
                # failing with "database is locked" when it tries to upgrade a read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds short-lived counters (wrong signing passwords); with several app servers it must be shared, so
# REDIS_URL puts it on Redis. Keep it on a Redis database of its own: clearing the cache empties that database.
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# Sessions live in the database, which every app server shares: a login holds whichever server answers.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Passwords: Argon2id tuned for a 2-core server (bench/argon2_cost.py prints the time per hash).
PASSWORD_HASHERS = [
    "kinerja.accounts.hashers.KinerjaArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout: five failures for one (username, client address) lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kinerja.lib.net.client_address"
AXES_LOCKOUT_CALLABLE = "kinerja.web.views.auth.locked_out"
AXES_VERBOSE = False

# Sessions: 30 minutes idle (the expiry moves with the user's requests, at most once a minute so that reading
# pages does not write the session each time: accounts.middleware), 12 hours at most after login.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# MEDIA_URL is deliberately unused: uploaded files are only ever served by views that check access.
# Evidence (bukti dukung) lives apart from everything else, served only through a view that checks access.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(VAR_DIR / "evidence")))
# Generated and signed documents (PDF, DOCX, XLSX), private like the evidence and served only by views that
# check access and log each download.
DOCUMENT_ROOT = Path(env_str("DOCUMENT_ROOT", str(VAR_DIR / "documents")))
# Where those files are kept: "filesystem" (the folders above, on this machine) or "s3", an S3-compatible bucket
# shared by every app server and worker, with the evidence under the key prefix evidence/, the documents under
# documents/ and the default storage (Excel uploads waiting for confirmation) under media/. The objects are private
# and are only read back through the views (kinerja.lib.storage).
FILE_STORAGE = env_str("FILE_STORAGE", "filesystem")
if FILE_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured("FILE_STORAGE must be filesystem or s3")
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")  # empty: AWS itself; e.g. https://s3.example.go.id for MinIO
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")  # empty (both): boto3 finds its own credentials
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
S3_REGION = env_str("S3_REGION", "us-east-1")
S3_ADDRESSING_STYLE = env_str("S3_ADDRESSING_STYLE")  # "path" for most servers other than AWS; empty: boto3 decides
if S3_ADDRESSING_STYLE not in ("", "auto", "path", "virtual"):
    raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be auto, path or virtual")
if FILE_STORAGE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("S3_BUCKET must be set when FILE_STORAGE is s3")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Static files are public and read by nginx's own user as well: not the private modes of FILE_UPLOAD_*.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
if FILE_STORAGE == "s3":
    STORAGES["default"] = {"BACKEND": "kinerja.lib.storage.PrivateS3Storage", "OPTIONS": {"location": "media"}}
# The address printed under a signed document's QR code; empty: the address the signer used.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")
# How documents are signed: "internal" (password re-entry, SHA-256 of the PDF) or "bsre" (the national
# electronic signature service, which also needs BSRE_URL, BSRE_CLIENT_ID and BSRE_CLIENT_SECRET).
SIGNING_METHOD = env_str("SIGNING_METHOD", "internal")
if SIGNING_METHOD not in ("internal", "bsre"):
    raise ImproperlyConfigured("SIGNING_METHOD must be internal or bsre")
BSRE_URL = env_str("BSRE_URL").rstrip("/")
BSRE_CLIENT_ID = env_str("BSRE_CLIENT_ID")
BSRE_CLIENT_SECRET = env_str("BSRE_CLIENT_SECRET")
BSRE_TIMEOUT_SECONDS = env_int("BSRE_TIMEOUT_SECONDS", 30, minimum=1)
if SIGNING_METHOD == "bsre" and not BSRE_URL:
    raise ImproperlyConfigured("BSRE_URL must be set when SIGNING_METHOD is bsre")

# Background work (document generation) through the Django tasks API. The database backend needs nothing else
# and a worker started with `manage.py db_worker`. The Redis backend (django_tasks_rq.RQBackend) keeps the queue
# in Redis (TASKS_REDIS_URL, by default REDIS_URL; better a database number of its own) and runs the jobs with
# `manage.py rqworker --job-class django_tasks_rq.Job default`.
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS: dict[str, dict] = {"default": {"BACKEND": TASKS_BACKEND}}
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", REDIS_URL)
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured("TASKS_REDIS_URL or REDIS_URL must be set when TASKS_BACKEND is the RQ backend")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    # A job still running after TASKS_TIMEOUT_SECONDS is stopped by its worker and counts as failed.
    RQ_QUEUES = {
        "default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": env_int("TASKS_TIMEOUT_SECONDS", 600, minimum=10)}
    }

# A generation job still running (or queued and not taken) this many minutes after it started (or was queued) is
# taken for lost by its worker or queue; `tick` hands it to the queue again. Keep it above TASKS_TIMEOUT_SECONDS.
DOCUMENT_JOB_STALE_MINUTES = env_int("DOCUMENT_JOB_STALE_MINUTES", 15, minimum=1)

FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
DATA_UPLOAD_MAX_NUMBER_FILES = 20

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kinerja@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. The policy allows our own scripts and styles only; no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind our own proxies (TRUSTED_PROXY_COUNT > 0) the request's scheme is the one nginx received, which it passes
# in X-Forwarded-Proto (and overwrites whatever a client sent there). The host is the Host header nginx passes on,
# unless USE_X_FORWARDED_HOST=true (for a proxy that rewrites Host and sends the original in X-Forwarded-Host).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # SECURE_COOKIES=false is for a test rig on plain http only (scripts/multiserver.sh on 127.0.0.1): clients do
    # not keep Secure or __Host- cookies sent without TLS. Never in a real deployment.
    SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
    SESSION_COOKIE_SECURE = SECURE_COOKIES
    CSRF_COOKIE_SECURE = SECURE_COOKIES
    if SECURE_COOKIES:
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO, and fontTools every font it subsets.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
    },
}
