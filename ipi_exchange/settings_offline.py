"""The test settings for tools that read the code but never connect to a server: mypy's
django-stubs plugin, and `manage.py check` / `makemigrations --check` (dev.py test, pre-commit).

manage.py starts no embedded server for this module. The dummy database engine makes any attempt
to use the database fail loudly, and makemigrations then skips checking a database's migration
history (which matters only to a database about to be migrated).
"""

from ipi_exchange.settings_test import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
