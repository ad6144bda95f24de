"""The sweeper: submissions whose queue message or worker was lost are found and queued again
(the beat task `sweep_submissions` runs this, and purges kept rows through validate/rows.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from indices.receive.models import Submission
from indices.validate.tasks import validate_submission

logger = logging.getLogger(__name__)
Status = Submission.Status


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
