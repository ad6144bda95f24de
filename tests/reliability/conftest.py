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


@pytest.fixture
def live_web_server(request, tmp_path, settings):
    """(base URL, process) of a gunicorn serving the test database, stopped afterwards;
    indirect parametrization passes extra environment variables."""
    from tests.workers import gunicorn_serving

    with gunicorn_serving(
        tmp_path / "gunicorn.log",
        *("--workers", "2", "--timeout", "30"),
        IPI_FILE_STORE=str(settings.IPI_FILE_STORE),
        **getattr(request, "param", {}),
    ) as served:
        yield served
