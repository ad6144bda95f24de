"""Test settings: the real settings, with only what makes tests faster and deterministic."""

from ipi_exchange.env import celery_url, env_int, env_str, with_redis_db
from ipi_exchange.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every use of a credential is recorded, which keeps credentials out of Redis and out of the
# processes' memory; a web process started by a test to see them there sets its own.
IPI_CREDENTIAL_TOUCH_SECONDS = env_int("IPI_TEST_CREDENTIAL_TOUCH_SECONDS", 0)
# Every test client comes from 127.0.0.1: wrong-token tests must not lock each other out
# (tests/reliability/test_security.py sets its own limit).
IPI_AUTH_FAILURES_PER_WINDOW = 0
# Rate-limit counters live in Redis and outlive a test (and a run): every persona shares the
# budget of its credential id, so tests get a budget they cannot exhaust; the rate-limit tests
# set their own.
IPI_API_RATE = "100000/minute"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are looked up when asked for, as in development: a fresh checkout has no
# collectstatic output, and WhiteNoise would warn about the missing directory in every test.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests use their own Redis database, so a development server on the same Redis (its worker,
# its queues) never takes a test's task or sees a test's heartbeat.
REDIS_URL = with_redis_db(REDIS_URL, env_int("IPI_TEST_REDIS_DB", 9))  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)

# Parallel test runs on one PostgreSQL (several checkouts, helpers) each need their own database:
# test_<the name in DATABASE_URL>, so checkouts given databases of their own never collide;
# IPI_TEST_DB_NAME names it outright.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env_str("IPI_TEST_DB_NAME") or f"test_{DATABASES['default']['NAME']}"  # noqa: F405
}
