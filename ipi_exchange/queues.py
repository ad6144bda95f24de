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

# Worker kind -> the queues it consumes. Webhook deliveries wait on partners' servers (10 s at
# most each): a worker of their own, so they never delay validation or publication.
WORKER_QUEUES: dict[str, tuple[str, ...]] = {
    "main": (VALIDATION, PUBLICATION, ADJUSTMENT, DEFAULT, MAINTENANCE),
    "webhooks": (WEBHOOKS,),
}
# Worker kind -> the environment variable giving its concurrency (default 2).
CONCURRENCY_VARIABLES = {"main": "WORKER_CONCURRENCY", "webhooks": "WEBHOOK_CONCURRENCY"}

ALL_QUEUES: tuple[str, ...] = tuple(q for queues in WORKER_QUEUES.values() for q in queues)
