"""One list of Celery queues (ipi_exchange/queues.py): every task's queue is consumed by a kind
of worker, and dev.py and docker-compose.yml start each kind through the same entry point."""

from __future__ import annotations

import importlib.util
import os

import yaml

from ipi_exchange.celery import app
from ipi_exchange.queues import ADJUSTMENT, ALL_QUEUES, NICENESS, WORKER_QUEUES
from ipi_exchange.worker import celery_arguments, cores
from tests.workers import ROOT


def _dev_module():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_task_and_beat_entry_goes_to_a_queue_some_worker_consumes(settings):
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) >= 5
    for name, task in ours.items():
        queue = getattr(task, "queue", None) or settings.CELERY_TASK_DEFAULT_QUEUE
        assert queue in ALL_QUEUES, name
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["options"]["queue"] in ALL_QUEUES, name
    assert settings.CELERY_TASK_DEFAULT_QUEUE in ALL_QUEUES


def test_the_worker_entry_point_consumes_its_kinds_queues():
    assert set(WORKER_QUEUES) == {"main", "adjustment", "webhooks"}
    main = celery_arguments("main", [], {})
    assert main[main.index("--queues") + 1] == "validation,publication,default,maintenance"
    assert main[main.index("--concurrency") + 1] == "2"
    assert "--hostname" not in main
    # X-13 runs only in the adjustment worker: one process per core this process may use.
    adjustment = celery_arguments("adjustment", [], {})
    assert adjustment[adjustment.index("--queues") + 1] == "adjustment"
    assert adjustment[adjustment.index("--concurrency") + 1] == str(cores())
    assert cores() == len(os.sched_getaffinity(0))
    assert adjustment[adjustment.index("--hostname") + 1] == "adjustment@%h"
    assert NICENESS == {"adjustment": 10}
    fixed = celery_arguments("adjustment", [], {"ADJUSTMENT_CONCURRENCY": "7"})
    assert fixed[fixed.index("--concurrency") + 1] == "7"
    assert sum(queue == ADJUSTMENT for queue in ALL_QUEUES) == 1
    hooks = celery_arguments("webhooks", ["--loglevel", "DEBUG"], {"WEBHOOK_CONCURRENCY": "5"})
    assert hooks[hooks.index("--queues") + 1] == "webhooks"
    assert hooks[hooks.index("--concurrency") + 1] == "5"
    assert hooks[hooks.index("--hostname") + 1] == "webhooks@%h"
    assert hooks[-2:] == ["--loglevel", "DEBUG"]


def test_docker_compose_and_dev_py_start_each_kind_of_worker_with_the_entry_point():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    compose_workers = sorted(
        service["command"]
        for service in compose["services"].values()
        if "ipi_exchange.worker" in str(service.get("command", ""))
    )
    assert compose_workers == sorted(f"python -m ipi_exchange.worker {k}" for k in WORKER_QUEUES)
    assert "--queues" not in (ROOT / "docker-compose.yml").read_text()

    commands = _dev_module().service_commands({})
    dev_workers = sorted(
        " ".join(command[1:]) for command in commands.values() if "ipi_exchange.worker" in command
    )
    assert dev_workers == sorted(f"-m ipi_exchange.worker {kind}" for kind in WORKER_QUEUES)
    assert not any("--queues" in command for command in commands.values())
