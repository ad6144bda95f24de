"""Celery tasks of webhooks: send one delivery's attempt; scan for due ones (beat); announce a
release just published.

Neither retries through Celery: a failed attempt is rescheduled in the database
(next_attempt_at), and the scan enqueues it again when due, so retries survive restarts of
workers and of Redis alike.
"""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from indices.disseminate.webhooks.services.delivery import (
    LEASE_SECONDS,
    webhook_deliveries_due,
    webhook_delivery_attempt,
)
from indices.disseminate.webhooks.services.scheduling import deliveries_unsent, webhooks_schedule
from indices.publish.models import Release


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
    return webhook_delivery_attempt(delivery_id)


@shared_task(name="indices.deliver_due_webhooks", queue="default")
def deliver_due_webhooks() -> dict:
    """Enqueue every due PENDING delivery (retries, lost messages, attempts of dead workers)."""
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


def release_announce(release: Release) -> int:
    """Schedule a published release's deliveries and send each at once (publication calls this
    after its commit); how many deliveries the release has."""
    count = webhooks_schedule(release)
    for delivery_id in deliveries_unsent(release):
        # Celery's Django fixup makes every task a DjangoTask; celery-types only knows Task.
        deliver_webhook.delay_on_commit(delivery_id)  # type: ignore[attr-defined]
    return count
