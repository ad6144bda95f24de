"""A series and its vintages, for the series page, compare and find (published data only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F

from countries.models import Agency, Country
from indices.disseminate.selectors.published import (
    observations_as_of,
    observations_current,
    observations_history,
    series_list,
)
from indices.publish.models import PublishedObservation, PublishedSeries, Release
from indices.web.selectors.explorer import MAX_SERIES_ON_CHART


@dataclass(frozen=True)
class Point:
    """One published value of a series, as it stands (or stood at an instant)."""

    time_period: str
    value: float
    status: str
    coverage: float | None = None
    comment: str = ""


def series_get(series_key: str) -> PublishedSeries | None:
    return series_list().filter(series_key=series_key).first()


def series_family(*, area: str, activity: str, adjustment: str) -> set[str]:
    """The keys published for this area, activity and adjustment (every FREQ and
    TRANSFORMATION): the views and frequencies a series page can switch to."""
    return set(
        series_list(ref_area=[area], activity=[activity], adjustment=[adjustment]).values_list(
            "series_key", flat=True
        )
    )


def series_points(
    series_key: str, *, start: date | None = None, as_of: datetime | None = None
) -> list[Point]:
    rows = (
        observations_current([series_key], start=start)
        if as_of is None
        else observations_as_of([series_key], as_of, start=start)
    )
    return [
        Point(row.time_period, row.value, row.status, row.coverage, row.comment)
        for row in rows.only("time_period", "value", "status", "coverage", "comment")
    ]


def values_at(series_keys: list[str], time_period: str) -> dict[str, float]:
    """The current value of each of these series for one period (those that have one)."""
    rows = observations_current(series_keys).filter(time_period=time_period)
    return dict(rows.values_list("series__series_key", "value"))


def group_members(group: str) -> list[Country]:
    """The members a regional aggregate (MKG, MKG_JP) is computed from."""
    return list(Country.objects.filter(aggregates__contains=[group]).order_by("code"))


def agency_name(agency_id: str) -> str:
    return Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first() or ""


@dataclass
class SeriesRelease:
    """A published release that changed a series, with what it did to it."""

    release: Release
    first: int = 0  # values published for the first time
    revised: int = 0
    withdrawn: int = 0


@dataclass(frozen=True)
class Revision:
    """A value of one period replaced (or withdrawn: `value` None) by a release."""

    time_period: str
    at: datetime
    release_id: int | None
    value: float | None
    previous: float | None

    @property
    def difference(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def series_history(series_key: str) -> tuple[list[SeriesRelease], list[Revision]]:
    """The releases that changed the series, newest first, and every revision of one of its
    values (newest period first, then in the order they happened)."""
    releases = [
        SeriesRelease(release)
        for release in Release.objects.filter(
            status=Release.Status.PUBLISHED, changed_series__contains=[series_key]
        )
        .select_related("agency")
        .order_by(F("published_at").desc(), "-id")
    ]
    by_id = {item.release.pk: item for item in releases}
    by_instant = {item.release.published_at: item for item in releases}
    rows: dict[str, list[PublishedObservation]] = defaultdict(list)
    for row in observations_history([series_key]).only(
        "time_period", "value", "valid_from", "valid_to", "release_id"
    ):
        rows[row.time_period].append(row)
    revisions: list[Revision] = []
    for time_period in sorted(rows, reverse=True):
        versions = rows[time_period]
        for index, row in enumerate(versions):
            before = versions[index - 1] if index else None
            follows = before is not None and before.valid_to == row.valid_from
            if follows:
                assert before is not None
                revisions.append(
                    Revision(time_period, row.valid_from, row.release_id, row.value, before.value)
                )
            if row.release_id in by_id:
                item = by_id[row.release_id]
                if follows:
                    item.revised += 1
                else:
                    item.first += 1
            after = versions[index + 1] if index + 1 < len(versions) else None
            if row.valid_to is not None and (after is None or after.valid_from != row.valid_to):
                withdrawing = by_instant.get(row.valid_to)
                if withdrawing is not None:
                    withdrawing.withdrawn += 1
                revisions.append(
                    Revision(
                        time_period,
                        row.valid_to,
                        withdrawing.release.pk if withdrawing else None,
                        None,
                        row.value,
                    )
                )
    return releases, revisions


def comparison_series(
    *, areas: list[str], activities: list[str], adjustment: str, transformation: str, freq: str
) -> tuple[list[PublishedSeries], int]:
    """The published series of these areas and activities (at most MAX_SERIES_ON_CHART, in the
    order asked), and how many matched."""
    found = {
        s.series_key: s
        for s in series_list(
            freq=[freq],
            ref_area=areas,
            activity=activities,
            adjustment=[adjustment],
            transformation=[transformation],
        )
    }
    ordered = sorted(
        found.values(),
        key=lambda s: (
            areas.index(s.ref_area) if s.ref_area in areas else len(areas),
            activities.index(s.activity) if s.activity in activities else len(activities),
        ),
    )
    return ordered[:MAX_SERIES_ON_CHART], len(ordered)


def catalog(*, freq: str = "M", transformation: str = "IX") -> list[tuple[str, str, str, str]]:
    """(series_key, area, activity, adjustment) of every published series of this frequency
    and transformation: what finding and browsing go through."""
    return list(
        series_list(freq=[freq], transformation=[transformation]).values_list(
            "series_key", "ref_area", "activity", "adjustment"
        )
    )
