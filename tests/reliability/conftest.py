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
    import socket
    import subprocess
    import sys

    import httpx

    from tests.workers import ROOT, wait_until, worker_environment

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ipi_exchange.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
            "--no-control-socket",  # not the user's, shared by every gunicorn on the machine
        ],
        cwd=ROOT,
        env=worker_environment(
            IPI_FILE_STORE=str(settings.IPI_FILE_STORE), **getattr(request, "param", {})
        ),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(up, timeout=60), log_path.read_text()[-3000:]
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)
