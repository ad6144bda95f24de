"""Start a Celery worker of one kind, consuming the queues ipi_exchange/queues.py gives it:

    python -m ipi_exchange.worker main        # validation, publication, default, maintenance
    python -m ipi_exchange.worker adjustment  # seasonal adjustment (X-13), one task per series
    python -m ipi_exchange.worker webhooks    # webhook deliveries only
    python -m ipi_exchange.worker main --loglevel DEBUG   # more options go to `celery worker`

Used by `dev.py serve` and docker-compose.yml. The concurrency comes from WORKER_CONCURRENCY
(main, 2 by default), ADJUSTMENT_CONCURRENCY (adjustment, by default the cores this process may
run on) or WEBHOOK_CONCURRENCY (webhooks, 2 by default). The adjustment worker runs nicer than
the others (queues.NICENESS), so that X-13 only takes what validation and publication leave.
The process becomes the worker itself (no child launcher), so signals sent to it reach Celery.
"""

from __future__ import annotations

import os
import sys

from ipi_exchange.queues import CONCURRENCY_VARIABLES, DEFAULT_CONCURRENCY, NICENESS, WORKER_QUEUES


def cores() -> int:
    """The cores this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def celery_arguments(kind: str, extra: list[str], environ: dict[str, str]) -> list[str]:
    """The arguments of `celery` for a worker of this kind."""
    if kind not in WORKER_QUEUES:
        raise SystemExit(f"unknown worker kind {kind!r}; one of: {', '.join(WORKER_QUEUES)}")
    arguments = ["-A", "ipi_exchange", "worker", "--loglevel", "INFO"]
    arguments += ["--queues", ",".join(WORKER_QUEUES[kind])]
    concurrency = environ.get(CONCURRENCY_VARIABLES[kind], "") or DEFAULT_CONCURRENCY[kind]
    arguments += ["--concurrency", str(concurrency or cores())]
    if kind != "main":
        arguments += ["--hostname", f"{kind}@%h"]
    return arguments + extra


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *celery_arguments(argv[0], argv[1:], dict(os.environ))]
    if NICENESS.get(argv[0]):
        os.nice(NICENESS[argv[0]])  # the pool's processes and X-13's inherit it
    celery_main()


if __name__ == "__main__":
    main(sys.argv[1:])
