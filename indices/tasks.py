"""Celery tasks: each takes an id, calls a service, and decides whether to retry."""

from __future__ import annotations

import logging
from datetime import timedelta

import psycopg
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from indices.models import Submission

logger = logging.getLogger(__name__)


# A dropped connection (database or broker restart) is retried at once rather than left to the
# sweeper; the work is idempotent, so a retry can never apply anything twice. psycopg's own
# classes too: the staging COPY talks to psycopg directly, past Django's error wrapping.
TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


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
    from indices.services.validation_run import submission_fail, submission_validate

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


@shared_task(
    name="indices.publish_releases",
    queue="publication",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def publish_releases() -> list[int]:
    """Publish every due release (embargoes end here); idempotent, safe to run at any time."""
    from indices.services.publication import releases_publish_due

    return releases_publish_due()


@shared_task(name="indices.sweep_submissions", queue="maintenance")
def sweep_submissions() -> dict:
    """Re-queue submissions whose work was lost; purge staged rows of finished ones."""
    from indices.services.validation_run import staging_purge

    # Overlapping sweeps would re-queue the same submissions twice (harmless, but noisy).
    if not cache.add("lock:sweep_submissions", "1", timeout=120):
        return {"skipped": True}
    try:
        requeued = submissions_requeue_stalled()
        purged = staging_purge()
        return {"requeued": requeued, "purged": purged}
    finally:
        cache.delete("lock:sweep_submissions")


def submissions_requeue_stalled(now=None) -> list[str]:
    """Re-queue RECEIVED submissions older than IPI_RECEIVED_GRACE_SECONDS (their queue message
    was lost, e.g. Redis restarted) and VALIDATING ones that no worker holds a lock on (their
    worker died) once older than IPI_VALIDATING_GRACE_SECONDS."""
    now = now or timezone.now()
    received_grace = timedelta(seconds=settings.IPI_RECEIVED_GRACE_SECONDS)
    validating_grace = timedelta(seconds=settings.IPI_VALIDATING_GRACE_SECONDS)
    stalled = list(
        Submission.objects.filter(
            status=Submission.Status.RECEIVED, received_at__lt=now - received_grace
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        # Rows we can lock are held by no worker: their validation died with its worker.
        stalled += list(
            Submission.objects.select_for_update(skip_locked=True)
            .filter(
                status=Submission.Status.VALIDATING,
                validation_started_at__lt=now - validating_grace,
            )
            .values_list("pk", flat=True)
        )
    requeued = []
    for submission_id in stalled:
        # A long queue (one big file ahead of many) must not fill up with copies of the same
        # message: each submission is re-queued at most once per ten minutes.
        if not cache.add(f"requeued:{submission_id}", "1", timeout=600):
            continue
        logger.warning("re-queueing stalled submission %s", submission_id)
        validate_submission.delay(str(submission_id))
        requeued.append(str(submission_id))
    return requeued
