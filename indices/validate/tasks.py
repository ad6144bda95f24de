"""Celery tasks of validation: each takes an id, calls a service, and decides whether to retry."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from indices.receive.models import Submission
from ipi_exchange.transient import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


# A submission held by another worker is looked at again this much later: the holder may be
# the database session of a worker just killed, which lets go once PostgreSQL notices.
HELD_RETRY_SECONDS = 10


@shared_task(
    bind=True,
    name="indices.validate_submission",
    queue="validation",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def validate_submission(self, submission_id: str) -> str | None:
    from indices.validate.services import submission_fail, submission_validate

    try:
        status = submission_validate(submission_id)
    except TRANSIENT_ERRORS:
        raise  # retried at once (autoretry_for)
    except Exception as error:
        # Anything else would fail again on every retry: reject now, with the error logged
        # for the secretariat, rather than leave the clerk waiting for the sweeper's retries.
        logger.exception("validation of submission %s failed", submission_id)
        return submission_fail(submission_id, error=error)
    held = Submission.objects.filter(pk=submission_id, status=Submission.Status.VALIDATING)
    if status is None and held.exists() and self.request.retries < self.max_retries:
        # Not finished, and locked by someone else; the sweeper stays the last resort.
        raise self.retry(countdown=HELD_RETRY_SECONDS)
    return status


@shared_task(name="indices.sweep_submissions", queue="maintenance")
def sweep_submissions() -> dict:
    """Re-queue submissions whose work was lost; purge the kept rows of finished ones."""
    from indices.validate.rows import staging_purge
    from indices.validate.sweeper import submissions_requeue_stalled

    # Overlapping sweeps would re-queue the same submissions twice (harmless, but noisy).
    if not cache.add("lock:sweep_submissions", "1", timeout=120):
        return {"skipped": True}
    try:
        requeued = submissions_requeue_stalled()
        purged = staging_purge()
        return {"requeued": requeued, "purged": purged}
    finally:
        cache.delete("lock:sweep_submissions")
