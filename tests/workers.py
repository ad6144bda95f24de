"""Real Celery worker and gunicorn processes for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from ipi_exchange.queues import ALL_QUEUES, WORKER_QUEUES

ROOT = Path(__file__).resolve().parent.parent
# The queues of every worker kind but adjustment's, in one test worker. X-13 runs in a worker of
# its own (start_adjustment_worker), started only by the tests of adjustment
# (tests/indices/publish/test_e2e_adjustment.py): a test worker that adjusted every series of
# every release it published would keep its slots busy for minutes.
QUEUES = ",".join(
    queue for kind, queues in WORKER_QUEUES.items() if kind != "adjustment" for queue in queues
)


def test_database_url() -> str:
    """The URL of the test database (test_<name>) the test process is using now."""
    params = connection.settings_dict
    host = params["HOST"] or "localhost"
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{params['PORT']}" if params["PORT"] else ""
    auth = params["USER"] + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
    return f"postgresql://{auth}@{host}{port}/{params['NAME']}"


def worker_environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ipi_exchange.settings_test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "IPI_FILE_STORE": str(settings.IPI_FILE_STORE),
        "IPI_WORKER_HEARTBEAT_SECONDS": "1",
        **extra,
    }


def purge_queues() -> int:
    """Drop messages earlier tests left in the test broker: their objects went with the
    flushed database, so each end-to-end test starts with a clean broker as with a clean DB."""
    from ipi_exchange.celery import app

    purged = 0
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        # The adjustment queue too: releases published with no adjustment worker running leave
        # their adjust_release messages there.
        for queue in ALL_QUEUES:
            purged += channel.queue_purge(queue) or 0
    return purged


def start_worker(
    log_path: Path, *, paced: bool = False, **extra_env: str
) -> tuple[subprocess.Popen, str]:
    """A real worker process; `paced`: its validations pause between steps, so a fault trial
    can kill it inside a chosen step (tests/paced_worker.py)."""
    hostname = f"e2e-{uuid.uuid4().hex[:8]}@test"
    log = log_path.open("ab")
    command = ["tests.paced_worker"] if paced else ["celery", "-A", "ipi_exchange"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            *command,
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--queues",
            QUEUES,
            "--hostname",
            hostname,
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=worker_environment(**extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, hostname


def start_adjustment_worker(
    log_path: Path, *, concurrency: int = 2, **extra_env: str
) -> tuple[subprocess.Popen, str]:
    """A real adjustment worker, started as production starts it (`python -m
    ipi_exchange.worker adjustment`: its queue, its lower CPU priority)."""
    hostname = f"e2e-adjustment-{uuid.uuid4().hex[:8]}@test"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipi_exchange.worker",
            "adjustment",
            "--hostname",
            hostname,
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=worker_environment(ADJUSTMENT_CONCURRENCY=str(concurrency), **extra_env),
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )
    return process, hostname


def start_beat(tmp_path: Path) -> subprocess.Popen:
    """Real celery beat, scanning for due releases every second (embargoes end on time)."""
    env = worker_environment(IPI_PUBLISH_SCAN_SECONDS="1", IPI_SWEEP_SECONDS="3600")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ipi_exchange",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "beat.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def stop_worker(process: subprocess.Popen, timeout: float = 20.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn_serving(log: Path, *options: str, **environment: str) -> Iterator[tuple[str, object]]:
    """(base URL, process) of a gunicorn serving the test database until the block ends;
    `options` go to gunicorn (e.g. "--workers", "2"), `environment` to its environment."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", *options, "ipi_exchange.wsgi"),
            *("--bind", f"127.0.0.1:{port}"),
            "--no-control-socket",  # not the user's, shared by every gunicorn on the machine
        ],
        cwd=ROOT,
        env=worker_environment(**environment),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(up, timeout=60), log.read_text()[-3000:]
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)
