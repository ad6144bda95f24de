"""The Celery queues and the kinds of worker that consume them: the one list read by the
settings, `dev.py serve`, docker-compose.yml (both start workers with `python -m
ipi_exchange.worker KIND`) and the tests. A task names its queue where it is declared
(`@shared_task(queue=...)`); tests/test_queues.py checks that some worker kind consumes it."""

from __future__ import annotations

VALIDATION = "validation"
PUBLICATION = "publication"
DEFAULT = "default"
MAINTENANCE = "maintenance"
WEBHOOKS = "webhooks"
# Seasonal adjustment (H7) of a release's series, one task per series, after publication.
ADJUSTMENT = "adjustment"

# Worker kind -> the queues it consumes. Two kinds of work get a worker of their own, so that
# they never delay validation or publication: X-13 runs (CPU-bound, about 0.4 s each, one per
# series, thousands after a large release) and webhook deliveries (they wait on partners'
# servers, 10 s at most each).
WORKER_QUEUES: dict[str, tuple[str, ...]] = {
    "main": (VALIDATION, PUBLICATION, DEFAULT, MAINTENANCE),
    "adjustment": (ADJUSTMENT,),
    "webhooks": (WEBHOOKS,),
}
# Worker kind -> the environment variable giving its concurrency.
CONCURRENCY_VARIABLES = {
    "main": "WORKER_CONCURRENCY",
    "adjustment": "ADJUSTMENT_CONCURRENCY",
    "webhooks": "WEBHOOK_CONCURRENCY",
}
# Worker kind -> its concurrency when the variable is unset; None: the cores this process may
# run on (adjustment: the work splits by series, each X-13 run keeps one core busy).
DEFAULT_CONCURRENCY: dict[str, int | None] = {"main": 2, "adjustment": None, "webhooks": 2}
# Worker kind -> how much nicer than the others its processes run (os.nice): X-13 takes the
# cores validation and publication leave idle, never the other way round.
NICENESS = {"adjustment": 10}

ALL_QUEUES: tuple[str, ...] = tuple(q for queues in WORKER_QUEUES.values() for q in queues)
