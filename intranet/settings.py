"""Transverse settings, driven by environment variables only.

With no variable set, Transverse runs in embedded mode: SQLite under var/, files under
var/media, an in-memory channel layer and a secret key generated once into var/.
Every variable is listed in deploy/transverse.env.example and in the README.
"""

import re
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from intranet.core.database import database_settings, prepared_statements_enabled
from intranet.core.env import (
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    persistent_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRANSVERSE_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("TRANSVERSE_DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY") or persistent_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
TRANSVERSE_DEMO = env_bool("TRANSVERSE_DEMO", False)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "guardian",
    # The second factor: TOTP apps and recovery codes (intranet/accounts/second_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Before django_tasks_db: its `db_worker` command is replaced by the project's own
    # (intranet/core/management/commands/db_worker.py: heartbeat, recovery, prompt stop).
    "intranet.core",
    "django_tasks",
    "django_tasks_db",
    "intranet.audit",
    "intranet.accounts",
    "intranet.presence",
    "intranet.departments",
    "intranet.skills",
    "intranet.people",
    "intranet.topics",
    "intranet.groups",
    "intranet.stream",
    "intranet.notifications",
    "intranet.moderation",
    "intranet.documents",
    "intranet.search",
    "intranet.directory",
    "intranet.proconnect",
    "intranet.chat",
    "intranet.wiki",
    "intranet.experts",
    "intranet.questions",
    "intranet.dashboards",
    "intranet.privacy",
    "intranet.events",
    "intranet.polls",
    "intranet.paths",
    "realtime",
]

MIDDLEWARE = [
    # First: every line logged while serving a request carries its id (intranet.core.logs).
    "intranet.core.logs.RequestIdMiddleware",
    # Requests and latency by route name, for /metrics (intranet.core.metrics).
    "intranet.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Events recorded by services during a request carry its address (intranet.audit).
    "intranet.audit.middleware.AuditRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session lifetimes, the second factor (accounts.second_factor).
    "intranet.accounts.second_factor.SessionRulesMiddleware",
    # Dates and times in the signed-in agent's time zone (intranet.accounts.middleware).
    "intranet.accounts.middleware.AgentTimeZoneMiddleware",
    "intranet.core.request_cache.RequestCacheMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "intranet.core.method_not_allowed.MethodNotAllowedMiddleware",
    "intranet.core.storage.StorageFullMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "intranet.urls"
ASGI_APPLICATION = "intranet.asgi.application"
WSGI_APPLICATION = "intranet.wsgi.application"  # pages only: /ws/ needs daphne

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "intranet.core.context_processors.site",
            ],
        },
    },
]

# --- Database ---
# A password in the URL can come from a file: DATABASE_URL_FILE, as for the other secrets.
# PostgreSQL connections come from a pool per process, never kept per thread (daphne runs
# each request in a thread of its own): TRANSVERSE_DB_POOL_SIZE and the rest are read in
# intranet/core/database.py and sized in docs/deploy.md, "Database connections".
DATABASES = {"default": database_settings(env_secret("DATABASE_URL").strip(), VAR_DIR)}
TRANSVERSE_DB_PREPARED_STATEMENTS = prepared_statements_enabled()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer ---
REDIS_URL = env_secret("REDIS_URL").strip()
# Prefixes this site's cache keys and channel names: pub/sub ignores Redis's database
# number, so two sites on one Redis server would otherwise hear each other's events.
from intranet.core.instance import instance_name  # noqa: E402

TRANSVERSE_INSTANCE_NAME = instance_name(DATABASES["default"])
if REDIS_URL:
    # The cache fails soft (Redis away is a miss); both are prefixed with the instance name.
    from intranet.core.redis_cache import redis_settings

    CACHES, CHANNEL_LAYERS = redis_settings(REDIS_URL, TRANSVERSE_INSTANCE_NAME)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # In daphne's memory; what the worker and commands publish reaches it through a table.
    CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.relay.EmbeddedChannelLayer"}}

# --- Background tasks ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker whose heartbeat is older than this is lost: its running task is marked failed
# (and re-queued when safe to run again), and /healthz says "worker": "down".
TRANSVERSE_WORKER_LOST_AFTER = env_int("TRANSVERSE_WORKER_LOST_AFTER", 120, minimum=2)
# On SIGTERM the worker lets its task run this long, then stops it (re-queued when safe).
TRANSVERSE_WORKER_STOP_SECONDS = env_int("TRANSVERSE_WORKER_STOP_SECONDS", 10, minimum=1)
# /healthz says "disk": "low" when the media or index folder has less free space (MiB).
TRANSVERSE_HEALTH_MIN_FREE_MB = env_int("TRANSVERSE_HEALTH_MIN_FREE_MB", 1024, minimum=0)

# --- Authentication ---
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: it answers quickly for local accounts and notes a directory outage on the request.
    "intranet.directory.backend.DirectoryBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; visitors must sign in
# Absolute lifetime: a session ends this long after sign-in, whatever the activity.
SESSION_COOKIE_AGE = env_int("TRANSVERSE_SESSION_AGE", 60 * 60 * 10, minimum=300)
# Idle lifetime: a session ends after this long without a request (0: no idle limit).
TRANSVERSE_SESSION_IDLE_SECONDS = env_int("TRANSVERSE_SESSION_IDLE_SECONDS", 60 * 60 * 2, minimum=0)
# Staff must confirm a TOTP code after their password (and enrol an app first).
TRANSVERSE_STAFF_REQUIRE_OTP = env_bool("TRANSVERSE_STAFF_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = env_str("TRANSVERSE_ORG_NAME", "Transverse")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("TRANSVERSE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TRANSVERSE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# Subdomains too (an intranet's other sites are expected on HTTPS as well); switch off
# with TRANSVERSE_HSTS_INCLUDE_SUBDOMAINS=false if one must stay on plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("TRANSVERSE_HSTS_INCLUDE_SUBDOMAINS", True)
# The browsers' preload list takes public domains submitted by hand; an intranet's name
# is usually not one, so the header says nothing of it unless asked, and Django's
# reminder (security.W021) is silenced: `check --deploy` is then clean (docs/deploy.md).
SECURE_HSTS_PRELOAD = HTTPS and env_bool("TRANSVERSE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRANSVERSE_BEHIND_PROXY", False) else None
)
# Reverse proxies whose X-Forwarded-For names the client (addresses or networks); the
# sign-in throttle counts attempts per client address (intranet/core/addresses.py).
from intranet.core.addresses import parse_trusted_proxies  # noqa: E402

TRANSVERSE_TRUSTED_PROXIES = parse_trusted_proxies(
    env_list("TRANSVERSE_TRUSTED_PROXIES"), "TRANSVERSE_TRUSTED_PROXIES"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Retention (intranet/core/retention.py, docs/rgpd.md) ---
# Days each kind of personal data is kept; 0 keeps it for ever. Applied every night.
TRANSVERSE_RETENTION_CHAT_DAYS = env_int("TRANSVERSE_RETENTION_CHAT_DAYS", 0, minimum=0)
TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS = env_int(
    "TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS", 180, minimum=0
)
TRANSVERSE_RETENTION_AUDIT_DAYS = env_int("TRANSVERSE_RETENTION_AUDIT_DAYS", 365, minimum=0)
TRANSVERSE_RETENTION_TASKS_DAYS = env_int("TRANSVERSE_RETENTION_TASKS_DAYS", 14, minimum=0)
# Who was active in which group on which day (dashboards); at least 92 days are kept.
TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS = env_int(
    "TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS", 120, minimum=0
)

# --- Directory (LDAP) ---
# Agents sign in with their OpenLDAP / Active Directory account; `sync_directory` and the
# periodic task import agents and departments. No URL: the directory is off (local accounts
# only). Every variable is described in docs/directory.md.
from intranet.core.env import env_float  # noqa: E402
from intranet.directory.config import (  # noqa: E402
    parse_attribute_map,
    parse_filter,
    parse_preset,
    parse_urls,
)

# One or more servers, tried in order, separated by spaces or commas.
TRANSVERSE_LDAP_URLS = parse_urls(
    env_str("TRANSVERSE_LDAP_URL").replace(",", " ").split(), "TRANSVERSE_LDAP_URL"
)
TRANSVERSE_LDAP_PRESET = parse_preset(env_str("TRANSVERSE_LDAP_PRESET"), "TRANSVERSE_LDAP_PRESET")
TRANSVERSE_LDAP_START_TLS = env_bool("TRANSVERSE_LDAP_START_TLS", False)
TRANSVERSE_LDAP_CA_FILE = env_str("TRANSVERSE_LDAP_CA_FILE")
if TRANSVERSE_LDAP_CA_FILE and not Path(TRANSVERSE_LDAP_CA_FILE).is_file():
    raise ImproperlyConfigured("TRANSVERSE_LDAP_CA_FILE must name a readable file of certificates.")
TRANSVERSE_LDAP_BIND_DN = env_str("TRANSVERSE_LDAP_BIND_DN")
TRANSVERSE_LDAP_BIND_PASSWORD = env_secret("TRANSVERSE_LDAP_BIND_PASSWORD")
TRANSVERSE_LDAP_USER_BASE = env_str("TRANSVERSE_LDAP_USER_BASE")
TRANSVERSE_LDAP_USER_FILTER = env_str("TRANSVERSE_LDAP_USER_FILTER") and parse_filter(
    env_str("TRANSVERSE_LDAP_USER_FILTER"), "TRANSVERSE_LDAP_USER_FILTER", needs_username=True
)
TRANSVERSE_LDAP_SYNC_FILTER = env_str("TRANSVERSE_LDAP_SYNC_FILTER") and parse_filter(
    env_str("TRANSVERSE_LDAP_SYNC_FILTER"), "TRANSVERSE_LDAP_SYNC_FILTER", needs_username=False
)
TRANSVERSE_LDAP_ATTRIBUTE_MAP = parse_attribute_map(
    env_str("TRANSVERSE_LDAP_ATTRIBUTE_MAP"), "TRANSVERSE_LDAP_ATTRIBUTE_MAP"
)
TRANSVERSE_LDAP_DEPARTMENT_HEAD_ATTRIBUTE = env_str("TRANSVERSE_LDAP_DEPARTMENT_HEAD_ATTRIBUTE")
TRANSVERSE_LDAP_CONNECT_TIMEOUT = env_float("TRANSVERSE_LDAP_CONNECT_TIMEOUT", 3.0, minimum=0.1)
TRANSVERSE_LDAP_RECEIVE_TIMEOUT = env_int("TRANSVERSE_LDAP_RECEIVE_TIMEOUT", 5, minimum=1)
TRANSVERSE_LDAP_PAGE_SIZE = env_int("TRANSVERSE_LDAP_PAGE_SIZE", 500, minimum=1)
TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT = env_float("TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT", 10.0)
TRANSVERSE_LDAP_SYNC_INTERVAL = env_int("TRANSVERSE_LDAP_SYNC_INTERVAL", 60, minimum=0)
TRANSVERSE_LDAP_FULL_SYNC_HOURS = env_int("TRANSVERSE_LDAP_FULL_SYNC_HOURS", 24, minimum=1)
# --- end of Directory (LDAP) ---

# --- ProConnect (OpenID Connect) ---
# Sign-in through ProConnect beside the directory, off unless the three variables are set
# (docs/deploy.md, "ProConnect"). Unknown agents are refused, or created when asked.
from intranet.proconnect.config import proconnect_settings  # noqa: E402

globals().update(
    proconnect_settings(
        env_str("TRANSVERSE_PROCONNECT_ISSUER"),
        env_str("TRANSVERSE_PROCONNECT_CLIENT_ID"),
        env_secret("TRANSVERSE_PROCONNECT_CLIENT_SECRET").strip(),
        env_str("TRANSVERSE_PROCONNECT_UNKNOWN_AGENTS", "refuse"),
    )
)
TRANSVERSE_PROCONNECT = bool(globals().get("OIDC_RP_CLIENT_ID"))
# E-mails count as verified for the first link to an existing account only when the
# provider says so (claim email_verified), or when the operator states it here.
TRANSVERSE_PROCONNECT_EMAILS_VERIFIED = env_bool("TRANSVERSE_PROCONNECT_EMAILS_VERIFIED", False)
if TRANSVERSE_PROCONNECT:
    AUTHENTICATION_BACKENDS.insert(-1, "intranet.proconnect.backend.ProConnectBackend")
# --- end of ProConnect ---

# --- Real-time ---
# Chat and live updates over one WebSocket per tab (realtime/, docs/realtime.md).
TRANSVERSE_CHAT_MAX_MESSAGE_CHARS = env_int("TRANSVERSE_CHAT_MAX_MESSAGE_CHARS", 10_000, minimum=1)
TRANSVERSE_CHAT_MAX_ATTACHMENT_BYTES = env_int(
    "TRANSVERSE_CHAT_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1024
)
TRANSVERSE_CHAT_RATE_PER_MINUTE = env_int("TRANSVERSE_CHAT_RATE_PER_MINUTE", 60, minimum=1)
TRANSVERSE_WS_MAX_FRAME_BYTES = env_int("TRANSVERSE_WS_MAX_FRAME_BYTES", 65_536, minimum=1024)
TRANSVERSE_WS_RATE = env_int("TRANSVERSE_WS_RATE", 20, minimum=1)
TRANSVERSE_WS_BURST = env_int("TRANSVERSE_WS_BURST", 40, minimum=1)
# Seconds between two refreshes of the presence rows of a process's sockets: a row is
# stale after 90 s, so at most 45 (one late pass must not make anyone "offline").
TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS = env_int(
    "TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS", 30, minimum=1
)
if TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS > 45:
    raise ImproperlyConfigured("TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS must be at most 45.")
# --- end of Real-time ---

# --- Search ---
# One full-text search (docs/search.md). "whoosh": a file index under
# TRANSVERSE_SEARCH_INDEX_DIR, for one node; "tantivy": the same, far faster on large
# indexes; "postgres": PostgreSQL full-text search, for several nodes sharing the
# database. Either way, one indexer (`manage.py search_index` or
# the `db_worker`) applies the queue of changes.
TRANSVERSE_SEARCH_ENGINE = env_str("TRANSVERSE_SEARCH_ENGINE", "whoosh").lower()
if TRANSVERSE_SEARCH_ENGINE not in {"whoosh", "postgres", "tantivy"}:
    raise ImproperlyConfigured("TRANSVERSE_SEARCH_ENGINE must be whoosh, postgres or tantivy.")
TRANSVERSE_SEARCH_INDEX_DIR = Path(env_str("TRANSVERSE_SEARCH_INDEX_DIR") or VAR_DIR / "index")
TRANSVERSE_SEARCH_BATCH_SIZE = env_int("TRANSVERSE_SEARCH_BATCH_SIZE", 200, minimum=1)
# One indexing task applies batches for at most this long, then queues its follow-up
# behind the other tasks (e-mails, the directory sync) instead of holding the worker.
TRANSVERSE_SEARCH_DRAIN_SECONDS = env_int("TRANSVERSE_SEARCH_DRAIN_SECONDS", 10, minimum=0)
# --- end of Search ---

# --- Documents: text extraction and malware scan ---
# The text kept from one document for the search, and the limits of the child process
# that reads it (intranet/documents/extraction.py): wall clock and CPU seconds, and
# its address space in MB.
TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS = env_int(
    "TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS", 1_000_000, minimum=1000
)
TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS = env_int(
    "TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS", 30, minimum=1
)
TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB = env_int(
    "TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB", 512, minimum=256
)
# ClamAV's clamd (intranet/documents/scanning.py): off unless its unix socket or its
# host is set; seconds for one whole scan.
TRANSVERSE_CLAMD_SOCKET = env_str("TRANSVERSE_CLAMD_SOCKET")
TRANSVERSE_CLAMD_HOST = env_str("TRANSVERSE_CLAMD_HOST")
TRANSVERSE_CLAMD_PORT = env_int("TRANSVERSE_CLAMD_PORT", 3310, minimum=1)
TRANSVERSE_CLAMD_TIMEOUT = env_int("TRANSVERSE_CLAMD_TIMEOUT", 120, minimum=1)
# --- end of Documents: text extraction and malware scan ---

# --- Error reports (docs/deploy.md, "Error reports") ---
# Only with a DSN: a self-hosted Sentry-compatible server; no personal data is sent.
from intranet.core.errors import sentry_init  # noqa: E402

TRANSVERSE_SENTRY = sentry_init(
    env_secret("TRANSVERSE_SENTRY_DSN").strip(),
    environment=env_str("TRANSVERSE_SENTRY_ENVIRONMENT"),
    release=env_str("TRANSVERSE_SENTRY_RELEASE"),
)

# --- Metrics (docs/deploy.md, "Metrics and alerts") ---
# prometheus-client's multiprocess files (intranet/core/metrics.py): one directory shared
# by the processes of one host, never by two hosts or containers (a pid names a file).
TRANSVERSE_METRICS_DIR = Path(env_str("TRANSVERSE_METRICS_DIR") or VAR_DIR / "metrics")
# /metrics answers these addresses (the client's, read as for the sign-in throttle) or a
# request with "Authorization: Bearer <token>"; everyone else gets a 404.
TRANSVERSE_METRICS_ALLOWED_ADDRESSES = parse_trusted_proxies(
    env_list("TRANSVERSE_METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"]),
    "TRANSVERSE_METRICS_ALLOWED_ADDRESSES",
)
TRANSVERSE_METRICS_TOKEN = env_secret("TRANSVERSE_METRICS_TOKEN").strip()

# --- Content-Security-Policy: everything from this site, no inline script or style ------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if TRANSVERSE_PROCONNECT:  # sign-out is a form whose answer redirects to ProConnect
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        globals()["TRANSVERSE_PROCONNECT_ORIGIN"]
    )

# --- Internationalisation ---
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "intranet" / "locale"]
# English dates in the United Kingdom's order (day before month), not Django's US "en".
FORMAT_MODULE_PATH = ["intranet.core.formats"]
USE_I18N = True
TIME_ZONE = env_str("TRANSVERSE_TIME_ZONE", "Europe/Paris")
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files ---
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "intranet" / "static"]
MEDIA_ROOT = Path(env_str("TRANSVERSE_MEDIA_ROOT") or VAR_DIR / "media")
TRANSVERSE_PRIVATE_ROOT = Path(env_str("TRANSVERSE_PRIVATE_ROOT") or VAR_DIR / "private")
# Directory agents deactivated for more than this many days are anonymised (0: never).
TRANSVERSE_ANONYMISE_LEAVERS_AFTER_DAYS = env_int(
    "TRANSVERSE_ANONYMISE_LEAVERS_AFTER_DAYS", 0, minimum=0
)
# No MEDIA_URL is served: every file goes through a view that checks access.
STORAGES = {
    # Written under a temporary name then linked: a full disk leaves no partial file.
    "default": {"BACKEND": "intranet.core.storage.AtomicFileSystemStorage"},
    # Django's StaticFilesStorage, each address computed once per process.
    "staticfiles": {"BACKEND": "intranet.core.storage.StaticStorage"},
    # Personal-data exports: outside MEDIA_ROOT, never served but by their owner's download.
    "private": {
        "BACKEND": "intranet.core.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(TRANSVERSE_PRIVATE_ROOT), "base_url": "/private-not-served/"},
    },
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Readable by the service's group only, whatever the umask of the process that writes.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
TRANSVERSE_MAX_PHOTO_BYTES = env_int("TRANSVERSE_MAX_PHOTO_BYTES", 5 * 1024 * 1024, minimum=1024)

# --- Document libraries (docs/deploy.md, "Documents") ---
# Their own storage alias, never served under a URL: every byte goes through a view that
# authorises. Several nodes: an NFS mount as TRANSVERSE_DOCUMENT_ROOT, or an S3-compatible
# store through django-storages (TRANSVERSE_DOCUMENT_S3_BUCKET and the rest below).
# Files are named "documents/<xx>/<random>" under this root (MEDIA_ROOT by default).
TRANSVERSE_DOCUMENT_ROOT = Path(env_str("TRANSVERSE_DOCUMENT_ROOT") or MEDIA_ROOT)
if env_str("TRANSVERSE_DOCUMENT_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("TRANSVERSE_DOCUMENT_S3_BUCKET"),
            "endpoint_url": env_str("TRANSVERSE_DOCUMENT_S3_ENDPOINT_URL") or None,
            "region_name": env_str("TRANSVERSE_DOCUMENT_S3_REGION") or None,
            "access_key": env_secret("TRANSVERSE_DOCUMENT_S3_ACCESS_KEY"),
            "secret_key": env_secret("TRANSVERSE_DOCUMENT_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "intranet.core.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(TRANSVERSE_DOCUMENT_ROOT)},
    }
TRANSVERSE_DOCUMENT_MAX_BYTES = env_int(
    "TRANSVERSE_DOCUMENT_MAX_BYTES", 100 * 1024 * 1024, minimum=1024
)
TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES = env_int(
    "TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES", 10 * 1024 * 1024 * 1024, minimum=0
)
# Trashed documents and folders can be restored for this many days, then are purged.
TRANSVERSE_DOCUMENT_TRASH_DAYS = env_int("TRANSVERSE_DOCUMENT_TRASH_DAYS", 30, minimum=1)
# Empty: files are streamed by the application. A location such as "/_documents/": the
# view authorises, then hands the file to that internal nginx location (deploy/nginx).
TRANSVERSE_DOCUMENT_X_ACCEL = env_str("TRANSVERSE_DOCUMENT_X_ACCEL")

# --- E-mail ---
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "transverse@localhost")
TRANSVERSE_SITE_URL = env_str("TRANSVERSE_SITE_URL", "http://127.0.0.1:8000")
# Hosts besides the site's own that learning-path links may point to (".x.fr": subdomains).
TRANSVERSE_PATHS_LINK_HOSTS = env_list("TRANSVERSE_PATHS_LINK_HOSTS")
TRANSVERSE_DIGEST_HOUR = env_int("TRANSVERSE_DIGEST_HOUR", 7, minimum=0)
if TRANSVERSE_DIGEST_HOUR > 23:
    raise ImproperlyConfigured("TRANSVERSE_DIGEST_HOUR must be an hour from 0 to 23.")

# --- Questions to experts ---
# A question without answer for this many hours goes to the theme's ambassadors of the
# other departments, and after as long again to staff (docs/questions.md).
TRANSVERSE_QUESTION_ESCALATION_HOURS = env_int(
    "TRANSVERSE_QUESTION_ESCALATION_HOURS", 48, minimum=1
)

# --- Organisation defaults (staff can change them in the admin, see core.Branding) ---
TRANSVERSE_ORG_NAME = env_str("TRANSVERSE_ORG_NAME", "Transverse")
TRANSVERSE_PRIMARY_COLOR = env_str("TRANSVERSE_PRIMARY_COLOR", "#1d4e89")
if not re.fullmatch(r"#[0-9a-fA-F]{6}", TRANSVERSE_PRIMARY_COLOR):
    raise ImproperlyConfigured("TRANSVERSE_PRIMARY_COLOR must be a colour like #1d4e89.")

# One line per record: ISO 8601 time with its offset in TIME_ZONE, level, the HTTP
# request's id ("-" outside requests; X-Request-ID, see intranet/core/logs.py), logger, text.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "intranet.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "intranet.core.logs.IsoFormatter",
            "fmt": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s",
            "time_zone": TIME_ZONE,
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("TRANSVERSE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The pool logs every failed reconnection attempt while PostgreSQL is away (several
        # a second): the outage is reported once by those who wait for the database
        # (intranet.core.worker, realtime.outage, /healthz); the pool's own error after
        # its reconnection time-out (5 minutes) still shows.
        "psycopg.pool": {"level": "ERROR"},
    },
}
