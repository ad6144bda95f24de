"""Releases: scheduling them and publishing the due ones, in order, exactly once.

An accepted submission is scheduled as a release at its `release_at` (default: at once); so is
a recomputation of the aggregates after the weights table changed. The publisher publishes
every due release in release order, one transaction each (publish/services/publication.py),
under one advisory lock: publications are few, and order matters, since a later release of a
country builds on the earlier one.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from countries.audit import audit_record
from countries.models import Agency
from indices.publish.models import Release
from indices.publish.services.publication import release_publish
from indices.receive.models import Submission

logger = logging.getLogger(__name__)

# Any constant shared by all publishers: pg_advisory_lock(key) serializes publications.
PUBLICATION_LOCK = 0x1B1_0001
MAX_ATTEMPTS = 3


def release_schedule(*, submission: Submission) -> Release:
    """Schedule an accepted submission's release (call inside its acceptance transaction)."""
    release = Release.objects.create(
        submission=submission,
        agency=submission.agency,
        ref_area=submission.agency.country_id or "",
        release_at=submission.release_at or timezone.now(),
        description=f"{submission.action} of {submission.rows_read} rows",
    )
    _publish_soon()
    return release


def aggregates_recompute_schedule(*, agency: Agency, description: str) -> Release:
    """A release that recomputes every aggregate (after the weights table changed)."""
    release = Release.objects.create(
        agency=agency, ref_area="", release_at=timezone.now(), description=description
    )
    _publish_soon()
    return release


def adjustment_schedule_again(series_key: str) -> Release | None:
    """After an opt-out was recorded or withdrawn: adjust the series again (its Y and T then
    withdrawn or back), from the latest member release that changed it, queued on commit so
    that the adjustment worker reads the register as committed. The source release, if any."""
    from indices.publish.services.adjustment import latest_source_release
    from indices.publish.tasks import adjust_release

    source = latest_source_release(series_key)
    if source is not None:
        adjust_release.delay_on_commit(source.pk, [series_key])  # type: ignore[attr-defined]
    return source


def _publish_soon() -> None:
    from indices.publish.tasks import publish_releases

    # Celery's Django fixup makes every task a DjangoTask; celery-types only knows Task.
    publish_releases.delay_on_commit()  # type: ignore[attr-defined]


def releases_publish_due(now: datetime | None = None) -> list[int]:
    """Publish every due release, oldest first; returns the ids published by this call.

    One publisher at a time (a session advisory lock, released if its worker dies with its
    connection). Each attempt is counted in its own committed step before the work, so a
    release that kills its worker every time is set aside (FAILED) after MAX_ATTEMPTS instead
    of blocking every later release.
    """
    published: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [PUBLICATION_LOCK])
        if not cursor.fetchone()[0]:
            return published  # another publisher is at work and will go on
    try:
        while (release := _next_due(now)) is not None:
            if release.attempts >= MAX_ATTEMPTS:
                _set_aside(release)
                continue
            Release.objects.filter(pk=release.pk).update(attempts=F("attempts") + 1)
            with transaction.atomic():
                release.refresh_from_db()
                release_publish(release, instant=now or timezone.now())
                committing = time.perf_counter()
            committed = time.perf_counter() - committing
            logger.info("release %s committed in %.1fs", release.pk, committed)
            published.append(release.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [PUBLICATION_LOCK])
    return published


def _next_due(now: datetime | None) -> Release | None:
    return (
        Release.objects.filter(
            status=Release.Status.SCHEDULED, release_at__lte=now or timezone.now()
        )
        .order_by("release_at", "id")
        .select_related("submission", "agency")
        .first()
    )


def _set_aside(release: Release) -> None:
    logger.error("release %s failed %s times; set aside", release.pk, release.attempts)
    Release.objects.filter(pk=release.pk).update(status=Release.Status.FAILED)
    audit_record(
        action="release.failed",
        agency=release.agency_id,
        object_type="release",
        object_id=release.pk,
        details={"attempts": release.attempts},
    )
