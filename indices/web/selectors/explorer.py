"""The series explorer, the choices it offers and the release calendar (published data only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F
from django.db.models.functions import Coalesce

from countries.models import Country
from countries.standard import load_definition
from indices.disseminate.selectors.published import (
    observations_as_of,
    observations_current,
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
        PublishedObservation.objects.filter(series__series_key__in=series_keys)
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
