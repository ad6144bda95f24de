"""A worker process that holds more memory than CELERY_WORKER_MAX_MEMORY_PER_CHILD (KiB) once a
task is done is replaced by a fresh one, and the worker goes on serving: what a large upload's
task left in the process's allocators is not carried into the next task. Celery's command
line reads the same variable; settings.py gives the default."""

import psutil
import pytest

from ipi_exchange.celery import app
from ipi_exchange.health import live_workers, ping
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def pool(process) -> set[int]:
    """The worker's pool processes, by pid."""
    return {child.pid for child in psutil.Process(process.pid).children()}


def settled(process) -> set[int]:
    """The pool once it has held the same one process for two seconds (a process leaving
    after its task is replaced within a second or so)."""
    seen: list[set[int]] = []

    def steady() -> bool:
        seen.append(pool(process))
        return len(seen) > 20 and len(seen[-1]) == 1 and all(p == seen[-1] for p in seen[-21:])

    assert wait_until(steady)
    return seen[-1]


def served(tmp_path, **env: str):
    """A worker that has served a task."""
    process, hostname = start_worker(tmp_path / "worker.log", **env)
    assert wait_until(lambda: hostname in live_workers() or f"celery@{hostname}" in live_workers())
    assert ping.delay("first").get(timeout=30)["echo"] == "first"
    return process


def test_the_default_limit_is_the_workers(settings):
    assert settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 600 * 1024
    assert app.conf.worker_max_memory_per_child == 600 * 1024


def test_a_process_over_the_limit_after_its_task_is_replaced(tmp_path):
    process = served(tmp_path, CELERY_WORKER_MAX_MEMORY_PER_CHILD="1")  # any process is over
    try:
        before = settled(process)
        assert ping.delay("one").get(timeout=30)["echo"] == "one"
        assert settled(process).isdisjoint(before)
        assert ping.delay("two").get(timeout=30)["echo"] == "two"  # the new one serves
    finally:
        stop_worker(process)


def test_a_small_task_leaves_its_process_in_place(tmp_path):
    process = served(tmp_path)  # the default limit: a ping's process holds far less
    try:
        before = settled(process)
        for payload in ("one", "two"):
            assert ping.delay(payload).get(timeout=30)["echo"] == payload
        assert settled(process) == before
    finally:
        stop_worker(process)
