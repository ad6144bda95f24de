"""pytest plugin (`-p tests.servers` in pyproject's addopts): the test session's servers.

Without DATABASE_URL / REDIS_URL the session starts (or attaches to) the embedded PostgreSQL and
Redis and names them in those variables before pytest-django reads the settings (which start
nothing themselves); processes the tests start inherit the variables. They stop when the last
process using them exits. With both variables set (dev.py test, CI), nothing is started here.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> Generator[None, None, None]:
    # A wrapper runs before every plain implementation, pytest-django's (which loads the
    # settings) included.
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE")
    from ipi_exchange import embedded

    embedded.use_servers_from_environment()
    # Importing the package set DJANGO_SETTINGS_MODULE to ipi_exchange.settings (celery.py's
    # setdefault), which pytest-django would prefer to pyproject's settings_test: undo that.
    if settings_module is None:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    return (yield)
