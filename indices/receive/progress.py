"""Live progress of a submission, kept in Redis: the work itself runs in one database
transaction, so progress written there would be invisible until the end."""

from __future__ import annotations

import uuid

from django.core.cache import cache

from indices.receive.models import Submission

TTL_SECONDS = 6 * 60 * 60


def _key(submission_id: uuid.UUID | str) -> str:
    return f"submission-progress:{submission_id}"


def report(submission_id: uuid.UUID | str, *, rows_read: int, stage: str) -> None:
    cache.set(_key(submission_id), {"rows_read": rows_read, "stage": stage}, TTL_SECONDS)


def read(submission_id: uuid.UUID | str) -> dict | None:
    return cache.get(_key(submission_id))


def clear(submission_id: uuid.UUID | str) -> None:
    cache.delete(_key(submission_id))


# Stages shown before and after the live ones a worker reports.
QUEUED, STARTING, DONE = "queued", "starting", "done"


def submission_progress(submission: Submission) -> dict:
    """Where a submission stands: rows read and checked so far, and the stage (queued,
    starting, reading, checking, done); the API and the pages both show this."""
    live = read(submission.pk) if submission.status == Submission.Status.VALIDATING else None
    if live:
        return {"rows_read": live["rows_read"], "rows_checked": 0, "stage": live["stage"]}
    stages: dict[str, str] = {"RECEIVED": QUEUED, "VALIDATING": STARTING}
    stage = stages.get(submission.status, DONE)
    return {
        "rows_read": submission.rows_read,
        "rows_checked": submission.rows_checked,
        "stage": stage,
    }
