"""Start a Celery worker of one kind, consuming the queues ipi_exchange/queues.py gives it:

    python -m ipi_exchange.worker main        # validation, publication, default, maintenance
    python -m ipi_exchange.worker webhooks    # webhook deliveries only
    python -m ipi_exchange.worker main --loglevel DEBUG   # more options go to `celery worker`

Used by `dev.py serve` and docker-compose.yml. The concurrency comes from WORKER_CONCURRENCY
(main) or WEBHOOK_CONCURRENCY (webhooks), 2 by default. The process becomes the worker itself
(no child launcher), so signals sent to it reach Celery.
"""

from __future__ import annotations

import os
import sys

from ipi_exchange.queues import CONCURRENCY_VARIABLES, WORKER_QUEUES


def celery_arguments(kind: str, extra: list[str], environ: dict[str, str]) -> list[str]:
    """The arguments of `celery` for a worker of this kind."""
    if kind not in WORKER_QUEUES:
        raise SystemExit(f"unknown worker kind {kind!r}; one of: {', '.join(WORKER_QUEUES)}")
    arguments = ["-A", "ipi_exchange", "worker", "--loglevel", "INFO"]
    arguments += ["--queues", ",".join(WORKER_QUEUES[kind])]
    arguments += ["--concurrency", environ.get(CONCURRENCY_VARIABLES[kind], "") or "2"]
    if kind != "main":
        arguments += ["--hostname", f"{kind}@%h"]
    return arguments + extra


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *celery_arguments(argv[0], argv[1:], dict(os.environ))]
    celery_main()


if __name__ == "__main__":
    main(sys.argv[1:])
