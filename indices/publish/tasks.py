"""Celery tasks of publication."""

from __future__ import annotations

from celery import shared_task

from ipi_exchange import queues
from ipi_exchange.transient import TRANSIENT_ERRORS


@shared_task(
    name="indices.publish_releases",
    queue=queues.PUBLICATION,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def publish_releases() -> list[int]:
    """Publish every due release (embargoes end here); idempotent, safe to run at any time."""
    from indices.publish.releases import releases_publish_due

    return releases_publish_due()


# H7: one task per series on a queue of its own (ipi_exchange/queues.py), so that adjustment
# spreads over every worker serving it and never delays publication or validation; never run
# in a web process.
ADJUSTMENT_QUEUE = queues.ADJUSTMENT
# X-13 stops itself after engine.TIMEOUT_SECONDS; the soft limit is the last guard.
ADJUST_SERIES_SOFT_SECONDS = 300


@shared_task(
    name="indices.adjust_release",
    queue=ADJUSTMENT_QUEUE,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def adjust_release(release_id: int, keys: list[str] | None = None) -> int:
    """Split a published release's changed monthly N series into one `adjust_series` task each;
    when all are done, `schedule_adjustment_release` schedules the follow-up release."""
    from celery import chord, group

    from indices.publish.models import Release
    from indices.publish.services.adjustment import series_to_adjust

    keys = series_to_adjust(Release.objects.get(pk=release_id), keys)
    if keys:
        chord(
            group(adjust_series.s(key, release_id) for key in keys),
            schedule_adjustment_release.s(release_id, keys),
        ).apply_async()
    return len(keys)


@shared_task(
    name="indices.adjust_series",
    queue=ADJUSTMENT_QUEUE,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=ADJUST_SERIES_SOFT_SECONDS,
    time_limit=ADJUST_SERIES_SOFT_SECONDS + 60,
)
def adjust_series(series_key: str, release_id: int) -> str:
    """Run X-13 on one series and keep the result, unpublished (bad cases: a finding)."""
    from indices.publish.services.adjustment import series_adjust

    return series_adjust(series_key, source_release_id=release_id)


@shared_task(
    name="indices.schedule_adjustment_release",
    queue=ADJUSTMENT_QUEUE,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def schedule_adjustment_release(_statuses: list[str], release_id: int, keys: list[str]) -> int:
    """The chord's body: the follow-up release at the source's release_at, then the publisher."""
    from indices.publish.services.adjustment import adjustment_release_schedule

    follow_up = adjustment_release_schedule(release_id, keys)
    publish_releases.delay()
    return follow_up.pk if follow_up is not None else 0


@shared_task(name="indices.compact_stores", queue=queues.MAINTENANCE)
def compact_stores() -> list[str]:
    """Rebuild the stores' bloated indexes (services/compaction.py); beat runs it daily."""
    from indices.publish.services.compaction import stores_compact

    return stores_compact()
