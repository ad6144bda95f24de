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
    starting, reading, checking, done); once accepted, its publication too. The API and the
    pages both show this."""
    live = read(submission.pk) if submission.status == Submission.Status.VALIDATING else None
    if live:
        return {"rows_read": live["rows_read"], "rows_checked": 0, "stage": live["stage"]}
    stages: dict[str, str] = {"RECEIVED": QUEUED, "VALIDATING": STARTING}
    stage = stages.get(submission.status, DONE)
    result = {
        "rows_read": submission.rows_read,
        "rows_checked": submission.rows_checked,
        "stage": stage,
    }
    if submission.status == Submission.Status.ACCEPTED:
        result["publication"] = publication_progress(submission)
    return result


# The stages of a publication, in order (publish/services/publication.py reports them as it
# goes: its transaction shows nothing until it commits); each with a count of what it works
# on: rows stored, stored observations harmonized, series aggregated, values written.
PUBLICATION_STAGES = ("storing", "harmonizing", "aggregating", "vintages")
SCHEDULED, PUBLISHED, FAILED = "scheduled", "published", "failed"


def _publication_key(submission_id: uuid.UUID | str) -> str:
    return f"submission-publication:{submission_id}"


def report_publication(submission_id: uuid.UUID | str, *, stage: str, count: int) -> None:
    cache.set(_publication_key(submission_id), {"stage": stage, "count": count}, TTL_SECONDS)


def publication_progress(submission: Submission) -> dict:
    """An accepted submission's publication: its stage (scheduled, storing, harmonizing,
    aggregating, vintages, published, failed) and count (for published: the values opened)."""
    # The publish stage's Release, through its one-to-one (receive comes before publish).
    release = getattr(submission, "release", None)
    if release is None or release.status == "SCHEDULED":
        live = cache.get(_publication_key(submission.pk))
        return live or {"stage": SCHEDULED, "count": 0}
    if release.status == "PUBLISHED":
        return {"stage": PUBLISHED, "count": release.observations_changed}
    return {"stage": FAILED, "count": 0}
