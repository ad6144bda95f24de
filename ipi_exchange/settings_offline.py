"""The test settings for tools that read the code but never connect to a server: mypy's
django-stubs plugin, and `manage.py check` / `makemigrations --check` in the pre-commit hooks.

Without DATABASE_URL / REDIS_URL, settings.py would start the embedded PostgreSQL and Redis, so
placeholders stand in for unset ones; the dummy database engine then makes any attempt to use
the database fail loudly, and makemigrations skips checking a database's migration history
(which matters only to a database about to be migrated).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgresql://offline@localhost:5432/offline")
os.environ.setdefault("REDIS_URL", "redis://localhost:6379/0")

from ipi_exchange.settings_test import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
