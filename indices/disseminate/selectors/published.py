"""Reads of published (harmonized) data: current values, values as of an instant, the full
revision history, and what changed since an instant (withdrawals included).

Only published releases ever write here, so an embargoed release leaves no trace in any of
these reads. Values are full precision; rounding is the output's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from indices.publish.models import PublishedObservation, PublishedSeries


def series_list(**dimensions: Iterable[str]) -> QuerySet[PublishedSeries]:
    """The catalog; each keyword (freq, ref_area, activity, adjustment, transformation) takes
    the codes to keep (empty = all)."""
    series = PublishedSeries.objects.all()
    for dimension, codes in dimensions.items():
        codes = list(codes)
        if codes:
            series = series.filter(**{f"{dimension}__in": codes})
    return series


def _periods(rows: QuerySet, start: date | None, end: date | None) -> QuerySet:
    if start is not None:
        rows = rows.filter(period_start__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    return rows


def observations_current(
    series_keys: Iterable[str], *, start: date | None = None, end: date | None = None
) -> QuerySet[PublishedObservation]:
    rows = PublishedObservation.objects.filter(
        series__series_key__in=list(series_keys), valid_to__isnull=True
    )
    return _periods(rows, start, end).order_by("series__series_key", "period_start")


def observations_as_of(
    series_keys: Iterable[str],
    instant: datetime,
    *,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[PublishedObservation]:
    """The values as they stood at `instant` (what a reader would have seen then)."""
    rows = PublishedObservation.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=instant),
        series__series_key__in=list(series_keys),
        valid_from__lte=instant,
    )
    return _periods(rows, start, end).order_by("series__series_key", "period_start")


def observations_history(
    series_keys: Iterable[str], *, start: date | None = None, end: date | None = None
) -> QuerySet[PublishedObservation]:
    """Every vintage of every value, oldest first within each period."""
    rows = PublishedObservation.objects.filter(series__series_key__in=list(series_keys))
    return _periods(rows, start, end).order_by("series__series_key", "period_start", "valid_from")


@dataclass(frozen=True)
class Change:
    series_key: str
    period_start: date
    time_period: str
    value: float | None  # None when withdrawn
    status: str
    action: str  # "updated" (new or revised value) or "deleted" (withdrawn)
    at: datetime
    comment: str = ""  # the agency's COMMENT on an updated value ("" for a deletion)


def changes_since(instant: datetime, series_keys: Iterable[str] | None = None) -> list[Change]:
    """What a reader who synchronised at `instant` must apply: the current value of every
    (series, period) opened after it, and a deletion for each one closed after it that has no
    current value now."""
    opened = PublishedObservation.objects.filter(valid_from__gt=instant, valid_to__isnull=True)
    closed = PublishedObservation.objects.filter(valid_to__gt=instant)
    if series_keys is not None:
        keys = list(series_keys)
        opened, closed = (
            opened.filter(series__series_key__in=keys),
            closed.filter(series__series_key__in=keys),
        )
    changes = [
        Change(
            o.series_key,
            o.period_start,
            o.time_period,
            o.value,
            o.status,
            "updated",
            o.valid_from,
            o.comment,
        )
        for o in opened.order_by("series__series_key", "period_start")
    ]
    current = {(c.series_key, c.period_start) for c in changes}
    still_current = set(
        PublishedObservation.objects.filter(
            valid_to__isnull=True,
            series__series_key__in={row.series_key for row in closed},
        ).values_list("series__series_key", "period_start")
    )
    withdrawn: dict[tuple[str, date], Change] = {}
    for row in closed.order_by("valid_to"):
        key = (row.series_key, row.period_start)
        if key in current or key in still_current:
            continue
        assert row.valid_to is not None  # `closed` holds closed versions only
        withdrawn[key] = Change(
            row.series_key,
            row.period_start,
            row.time_period,
            None,
            row.status,
            "deleted",
            row.valid_to,
        )
    return changes + sorted(withdrawn.values(), key=lambda c: (c.series_key, c.period_start))
