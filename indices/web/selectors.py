"""Reads behind the reader pages. Published data only: every value comes from the published
selectors (indices.disseminate.selectors.published) or from announced releases, never from
submissions or the national store, so an embargoed release cannot show here before its
instant."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F
from django.db.models.functions import Coalesce

from countries.models import Agency, Country
from countries.standard import load_definition
from indices.disseminate.selectors.published import (
    observations_as_of,
    observations_current,
    observations_history,
    series_list,
)
from indices.publish.models import PublishedObservation, PublishedSeries, Release

MAX_SERIES_ON_CHART = 12


@dataclass
class Line:
    """One line of the chart: a series, today or as it stood at an earlier instant."""

    series_key: str
    label: str
    vintage: str  # "current" or the as-of date
    points: list[tuple[str, float]] = field(default_factory=list)
    area: str = ""
    activity: str = ""
    adjustment: str = ""


def explorer_lines(
    *,
    countries: list[str],
    activity: str,
    adjustment: str,
    transformation: str,
    start: date | None,
    as_of: datetime | None,
    as_of_label: str = "",
    freq: str = "M",
) -> tuple[list[Line], int]:
    """The lines to plot, and how many series matched (more than MAX_SERIES_ON_CHART are cut)."""
    series = list(
        series_list(
            freq=[freq],
            ref_area=countries,
            activity=[activity] if activity else [],
            adjustment=[adjustment] if adjustment else [],
            transformation=[transformation],
        ).order_by("ref_area", "activity", "adjustment")
    )
    matched = len(series)
    series = series[:MAX_SERIES_ON_CHART]
    names = area_names()
    labels = {
        s.series_key: f"{names.get(s.ref_area, s.ref_area)} {s.activity} {s.adjustment}"
        for s in series
    }
    keys = list(labels)
    codes = {s.series_key: (s.ref_area, s.activity, s.adjustment) for s in series}
    lines = _lines(observations_current(keys, start=start), labels, codes, "current")
    if as_of is not None:
        vintage = as_of_label or f"{as_of:%Y-%m-%d}"
        lines += _lines(observations_as_of(keys, as_of, start=start), labels, codes, vintage)
    return lines, matched


def _lines(
    rows, labels: dict[str, str], codes: dict[str, tuple[str, str, str]], vintage: str
) -> list[Line]:
    by_key: dict[str, Line] = {}
    for row in rows:
        key = row.series_key
        line = by_key.setdefault(key, Line(key, labels[key], vintage, [], *codes[key]))
        line.points.append((row.time_period, row.value))
    return [by_key[key] for key in labels if key in by_key]


def published_areas(*, freq: str, activity: str, adjustment: str, transformation: str) -> list[str]:
    """The areas with a published series for this choice (empty activity or adjustment: any)."""
    series = series_list(
        freq=[freq],
        activity=[activity] if activity else [],
        adjustment=[adjustment] if adjustment else [],
        transformation=[transformation],
    )
    return sorted(set(series.values_list("ref_area", flat=True)))


def published_of_area(*, area: str, freq: str, transformation: str) -> list[tuple[str, str]]:
    """(activity, adjustment) of the series published for `area` at this frequency."""
    series = series_list(freq=[freq], ref_area=[area], transformation=[transformation])
    return sorted(set(series.values_list("activity", "adjustment")))


def group_codes() -> set[str]:
    """The regional aggregates (MKG, MKG_JP) the members count in."""
    return {g for groups in Country.objects.values_list("aggregates", flat=True) for g in groups}


def first_published(series_keys: list[str]) -> datetime | None:
    """When the first value of these series was published."""
    return (
        PublishedObservation.objects.filter(series_key__in=series_keys)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


def code_names(codelist: str) -> dict[str, str]:
    return {code.code: code.name for code in load_definition().codelists[codelist]}


def area_names() -> dict[str, str]:
    return {code.code: code.name for code in load_definition().codelists["CL_AREA"]}


def published_choices() -> dict[str, list[tuple[str, str]]]:
    """The codes that occur in the published monthly series, with their names."""
    standard = load_definition()
    present = PublishedSeries.objects.all()

    def named(codelist: str, codes: set[str]) -> list[tuple[str, str]]:
        names = {c.code: c.name for c in standard.codelists[codelist]}
        order = [c.code for c in standard.codelists[codelist]]
        known = [c for c in order if c in codes]
        return [(c, f"{c}: {names[c]}") for c in known + sorted(codes - set(order))]

    return {
        # Every area, published or not: "nothing published yet" is an answer too.
        "countries": named("CL_AREA", {c.code for c in standard.codelists["CL_AREA"]}),
        "activities": named("CL_ACTIVITY_ISIC4", set(present.values_list("activity", flat=True))),
        "adjustments": named(
            "CL_ADJUSTMENT", {c.code for c in standard.codelists["CL_ADJUSTMENT"]}
        ),
    }


def calendar_entries(*, country: str = "") -> tuple[list[Release], list[Release]]:
    """(upcoming, published). Upcoming ones are shown with their time and country only, as
    in the API: the embargo covers everything but the announcement itself."""
    releases = Release.objects.annotate(at=Coalesce("published_at", "release_at"))
    if country:
        releases = releases.filter(ref_area=country)
    upcoming: list[Release] = list(
        releases.filter(status=Release.Status.SCHEDULED)
        .order_by("release_at", "id")
        .only("ref_area", "release_at", "status")[:100]
    )
    published: list[Release] = list(
        releases.filter(status=Release.Status.PUBLISHED).order_by(F("published_at").desc(), "-id")[
            :100
        ]
    )
    return upcoming, published


@dataclass
class MemberTimeliness:
    country: Country
    last_period: str | None
    late: bool
    months: list[tuple[str, str]]  # (period, "sent" | "late" | "due")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def timeliness_board(*, today: date, months: int = 12) -> list[MemberTimeliness]:
    """Which member has published which month (its monthly index levels), and who is late: a
    month is late once more than W07's max_days_late have passed since its end."""
    max_days = int(load_definition().threshold("W07", "max_days_late"))
    periods = _recent_months(today, months)
    members = list(
        Country.objects.filter(agencies__role=Agency.Role.REPORTER).distinct().order_by("code")
    )
    keys_by_area: dict[str, list[str]] = defaultdict(list)
    for key, area in PublishedSeries.objects.filter(
        freq="M", transformation="IX", ref_area__in=[m.code for m in members]
    ).values_list("series_key", "ref_area"):
        keys_by_area[area].append(key)
    area_of = {key: area for area, keys in keys_by_area.items() for key in keys}
    sent: dict[str, set[date]] = defaultdict(set)
    last: dict[str, date] = {}
    current = PublishedObservation.objects.filter(valid_to__isnull=True, series_key__in=area_of)
    for key, start in current.values_list("series_key", "period_start").distinct():
        area = area_of[key]
        if start >= periods[0]:
            sent[area].add(start)
        if area not in last or start > last[area]:
            last[area] = start
    board = []
    for member in members:
        cells = []
        late = False
        for start in periods:
            if start in sent[member.code]:
                state = "sent"
            elif today - month_end(start.year, start.month) > timedelta(days=max_days):
                state = "late"
            else:
                state = "due"
            cells.append((f"{start:%Y-%m}", state))
        # Late when the newest month that is already overdue has not been published.
        overdue = [
            start for start, (_, state) in zip(periods, cells, strict=True) if state != "due"
        ]
        newest_overdue = overdue[-1] if overdue else None
        if newest_overdue is not None:
            late = member.code not in last or last[member.code] < newest_overdue
        board.append(
            MemberTimeliness(
                country=member,
                last_period=f"{last[member.code]:%Y-%m}" if member.code in last else None,
                late=late,
                months=cells,
            )
        )
    return board


def _recent_months(today: date, months: int) -> list[date]:
    """The first days of the `months` months before the current one, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        starts.append(date(year, month, 1))
    return starts[::-1]


# The series pages (issue #17): one series, its releases and revisions, comparisons, finding.


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
    return dict(rows.values_list("series_key", "value"))


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
