"""Live progress of a validation, kept in Redis: the validation itself runs in one database
transaction, so progress written there would be invisible until the end."""

from __future__ import annotations

import uuid

from django.core.cache import cache

TTL_SECONDS = 6 * 60 * 60


def _key(submission_id: uuid.UUID | str) -> str:
    return f"submission-progress:{submission_id}"


def report(submission_id: uuid.UUID | str, *, rows_read: int, stage: str) -> None:
    cache.set(_key(submission_id), {"rows_read": rows_read, "stage": stage}, TTL_SECONDS)


def read(submission_id: uuid.UUID | str) -> dict | None:
    return cache.get(_key(submission_id))


def clear(submission_id: uuid.UUID | str) -> None:
    cache.delete(_key(submission_id))
