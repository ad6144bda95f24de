"""A real Celery worker: a task round trip through Redis and the heartbeat /readyz reads."""

import pytest
from django.test import Client

from ipi_exchange.health import live_workers, ping
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def test_task_round_trip_and_readiness_follow_a_real_worker(tmp_path):
    client = Client()
    process, hostname = start_worker(tmp_path / "worker.log")
    try:
        assert wait_until(
            lambda: f"celery@{hostname}" in live_workers() or hostname in live_workers()
        ), (tmp_path / "worker.log").read_text()[-3000:]
        result = ping.delay("round trip")
        assert result.get(timeout=30) == {"echo": "round trip", "worker": hostname}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.content
        assert hostname in ready.json()["checks"]["worker"]["live"]
    finally:
        stop_worker(process)
    # A worker that stops clears its heartbeat: readiness says so, as problem+json.
    assert hostname not in live_workers()
    if not live_workers():
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready["Content-Type"] == "application/problem+json"
        assert not_ready.json()["checks"]["worker"]["ok"] is False
