"""pytest plugin (`-p tests.servers` in pyproject's addopts): the test session's servers.

Without DATABASE_URL / REDIS_URL the session starts (or attaches to) the embedded PostgreSQL and
Redis and names them in those variables before pytest-django reads the settings (which start
nothing themselves); processes the tests start inherit the variables. They stop when the last
process using them exits. With both variables set (dev.py test, CI), nothing is started here.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> Generator[None, None, None]:
    # A wrapper runs before every plain implementation, pytest-django's (which loads the
    # settings) included.
    from ipi_exchange import embedded

    embedded.use_servers_from_environment()
    return (yield)
