"""Fault trials and proofs of the service's promises (see docs/reliability.md)."""

import pytest


def pytest_configure(config):
    # Also to be listed in pyproject.toml; registered here so --strict-markers accepts it.
    config.addinivalue_line("markers", "faults: kills workers, restarts servers (slower)")


@pytest.fixture(autouse=True)
def _no_auth_failure_limit_leftovers():
    """Failed-token counters live in Redis and outlive a test: start each test with none."""
    from countries.throttling import auth_failures_reset

    auth_failures_reset("127.0.0.1")
    yield
