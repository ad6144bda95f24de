"""Celery tasks of webhooks: send one delivery's attempt; scan for due ones (beat).

Neither retries through Celery: a failed attempt is rescheduled in the database
(next_attempt_at), and the scan enqueues it again when due, so retries survive restarts of
workers and of Redis alike.
"""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from indices.services.webhooks import LEASE_SECONDS


@shared_task(
    name="indices.deliver_webhook",
    # A queue of its own, served by its own worker: partners' slow endpoints must never delay
    # validation or publication.
    queue="webhooks",
    # One attempt's HTTP timeout is ~10 s; the hard limit stays below the claim's lease so a
    # killed attempt is retried only once no one can still be sending it.
    soft_time_limit=LEASE_SECONDS - 60,
    time_limit=LEASE_SECONDS - 30,
)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of a due delivery; idempotent (a claimed or finished one is left alone)."""
    from indices.services.webhooks import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id)


@shared_task(name="indices.deliver_due_webhooks", queue="default")
def deliver_due_webhooks() -> dict:
    """Enqueue every due PENDING delivery (retries, lost messages, attempts of dead workers)."""
    from indices.services.webhooks import webhook_deliveries_due

    # Overlapping scans would enqueue the same deliveries twice (harmless, but noisy).
    if not cache.add("lock:deliver_due_webhooks", "1", timeout=120):
        return {"skipped": True}
    try:
        enqueued = []
        for delivery_id, attempts in webhook_deliveries_due():
            # A slow queue must not fill up with copies: one message per attempt per lease.
            key = f"webhook-enqueued:{delivery_id}:{attempts}"
            if cache.add(key, "1", timeout=LEASE_SECONDS):
                deliver_webhook.delay(delivery_id)
                enqueued.append(delivery_id)
        return {"enqueued": enqueued}
    finally:
        cache.delete("lock:deliver_due_webhooks")
