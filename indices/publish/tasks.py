"""Celery tasks of publication."""

from __future__ import annotations

from celery import shared_task

from ipi_exchange.transient import TRANSIENT_ERRORS


@shared_task(
    name="indices.publish_releases",
    queue="publication",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def publish_releases() -> list[int]:
    """Publish every due release (embargoes end here); idempotent, safe to run at any time."""
    from indices.publish.releases import releases_publish_due

    return releases_publish_due()
