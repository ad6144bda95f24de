"""The release calendar: published and scheduled releases (FAILED ones are the secretariat's
to look at, not part of the calendar), upcoming first (soonest first), then the published ones,
latest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce

from indices.publish.models import Release

CALENDAR_STATUSES = (Release.Status.PUBLISHED, Release.Status.SCHEDULED)


def release_calendar(
    *,
    countries: Iterable[str] = (),
    status: str | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[Release]:
    """`after` (inclusive) and `before` (exclusive) bound a release's publication instant, or
    its scheduled one while it is not yet published."""
    releases = Release.objects.filter(status__in=CALENDAR_STATUSES).annotate(
        at=Coalesce("published_at", "release_at")
    )
    countries = list(countries)
    if countries:
        releases = releases.filter(ref_area__in=countries)
    if status:
        releases = releases.filter(status=status)
    if after:
        releases = releases.filter(at__gte=after)
    if before:
        releases = releases.filter(at__lt=before)
    upcoming = Q(status=Release.Status.SCHEDULED)
    return releases.order_by(
        Case(When(upcoming, then=0), default=1),
        Case(When(upcoming, then="release_at")).asc(),
        F("published_at").desc(),
        "-id",
    )
