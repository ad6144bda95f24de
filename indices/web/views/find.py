"""Finding a series by the names of its country and activity (`/find/?q=thai manufacturing`),
browsing by country or activity, and comparing several series on one chart (`/compare/`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from indices.disseminate.csv import places, rounded
from indices.web import words
from indices.web.access import any_agency
from indices.web.forms import CompareForm
from indices.web.selectors.explorer import MAX_SERIES_ON_CHART, group_codes, published_areas
from indices.web.selectors.series import (
    Point,
    catalog,
    comparison_series,
    group_members,
    series_points,
)
from indices.web.views.assets import chart_library_version
from indices.web.views.series import chart_line, series_url
from indices.web.words import Key

# Words that say nothing about which series (every series here is an industrial production
# index).
QUIET = {"and", "of", "the", "in", "for", "index", "ipi", "industrial", "production", "series"}
FREQUENCY_WORDS = {"monthly": "M", "quarterly": "Q", "annual": "A", "yearly": "A"}
MAX_FOUND = 60


@dataclass(frozen=True)
class Found:
    key: str
    title: str
    url: str


def _words_of(text: str) -> list[str]:
    cleaned = "".join(c.lower() if c.isalnum() else " " for c in text)
    return cleaned.split()


def _fields(area: str, activity: str, adjustment: str) -> list[list[str]]:
    """What a reader may call a series by: its area, its activity, its adjustment."""
    return [
        [*_words_of(words.area_name(area)), area.lower(), *words.AREA_WORDS.get(area, [])],
        [*_words_of(words.names("CL_ACTIVITY_ISIC4").get(activity, "")), activity.lower()],
        [*_words_of(words.ADJUSTMENTS.get(adjustment, "")), adjustment.lower()],
    ]


def _score(tokens: list[str], fields: list[list[str]]) -> float | None:
    """None unless every token names something of the series; else how much of what was
    named the tokens cover (Manufacturing over "Manufacture of food products" for
    "manufactur")."""
    matched: list[set[str]] = [set() for _ in fields]
    for token in tokens:
        hit = False
        for field, found in zip(fields, matched, strict=True):
            for word in field:
                if word == token or (len(token) >= 3 and word.startswith(token)):
                    found.add(word)
                    hit = True
        if not hit:
            return None
    return sum(
        len(found) / len(set(field)) for field, found in zip(fields, matched, strict=True) if found
    )


def find_series(query: str, *, area: str = "", activity: str = "") -> tuple[list[Found], int, str]:
    """The published series the words name (monthly index levels unless a frequency is said),
    best first; how many; and the frequency looked in."""
    tokens = [t for t in _words_of(query) if t not in QUIET]
    freq = "M"
    for token in list(tokens):
        if token in FREQUENCY_WORDS:
            freq = FREQUENCY_WORDS[token]
            tokens.remove(token)
    areas, activities, adjustments = (
        words.order("CL_AREA"),
        words.order("CL_ACTIVITY_ISIC4"),
        words.order("CL_ADJUSTMENT"),
    )
    ranked = []
    for key, series_area, series_activity, adjustment in catalog(freq=freq):
        if (area and series_area != area) or (activity and series_activity != activity):
            continue
        score = _score(tokens, _fields(series_area, series_activity, adjustment)) if tokens else 0.0
        if score is None:
            continue
        ranked.append(
            (
                -score,
                areas.get(series_area, 99),
                activities.get(series_activity, 999),
                adjustments.get(adjustment, 9),
                key,
            )
        )
    ranked.sort()
    found = []
    for *_, key in ranked[:MAX_FOUND]:
        parsed = Key.parse(key)
        assert parsed is not None
        found.append(Found(key, words.title(parsed), series_url(key)))
    return found, len(ranked), freq


@require_safe
@any_agency
def find(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200].strip()
    area = request.GET.get("area", "")
    activity = request.GET.get("activity", "")
    area = area if area in words.names("CL_AREA") else ""
    activity = activity if activity in words.names("CL_ACTIVITY_ISIC4") else ""
    searching = bool(query or area or activity)
    found, count, freq = (
        find_series(query, area=area, activity=activity) if searching else ([], 0, "M")
    )
    entries = catalog()
    area_counts: dict[str, int] = {}
    activity_counts: dict[str, int] = {}
    for _, series_area, series_activity, _ in entries:
        area_counts[series_area] = area_counts.get(series_area, 0) + 1
        activity_counts[series_activity] = activity_counts.get(series_activity, 0) + 1
    areas, activities = words.order("CL_AREA"), words.order("CL_ACTIVITY_ISIC4")
    return render(
        request,
        "web/find.html",
        {
            "query": query,
            "area": area,
            "area_name": words.area_name(area) if area else "",
            "activity": activity,
            "activity_name": words.activity_name(activity) if activity else "",
            "searching": searching,
            "found": found,
            "count": count,
            "more": count - len(found),
            "freq_word": words.FREQUENCIES[freq],
            "browse_areas": [
                (code, words.area_name(code), n)
                for code, n in sorted(area_counts.items(), key=lambda i: areas.get(i[0], 99))
            ],
            "browse_activities": [
                (code, words.activity_name(code), n)
                for code, n in sorted(
                    activity_counts.items(), key=lambda i: activities.get(i[0], 999)
                )
            ],
        },
    )


def _compare_form(request: HttpRequest) -> CompareForm:
    standard = words.names("CL_ACTIVITY_ISIC4")
    published = {activity for _, _, activity, _ in catalog()}
    choices = {
        "areas": list(words.names("CL_AREA").items()),
        "activities": [
            (code, f"{name} ({code})") for code, name in standard.items() if code in published
        ],
        "adjustments": [(code, text.capitalize()) for code, text in words.ADJUSTMENTS.items()],
    }
    # What is not chosen takes the first look's choice: manufacturing, not adjusted, index
    # levels, monthly, every area that has it (the aggregates among them).
    defaults = {
        "area": sorted(
            published_areas(freq="M", activity="C", adjustment="N", transformation="IX"),
            key=lambda code: words.order("CL_AREA").get(code, 99),
        ),
        "activity": ["C"],
        "adjustment": ["N"],
        "transformation": ["IX"],
        "freq": ["M"],
    }
    data = QueryDict(mutable=True)
    for name, value in defaults.items():
        data.setlist(name, request.GET.getlist(name) or value)
    if request.GET.get("start"):
        data["start"] = request.GET["start"]
    return CompareForm(data, **choices)


@dataclass
class Compared:
    key: str
    label: str
    url: str
    points: list[Point]
    decimals: int
    group: bool
    coverage: str  # the group's, in words


def _compared(form: CompareForm) -> tuple[list[Compared], int]:
    data = form.cleaned_data
    start = date(data["start"], 1, 1) if data.get("start") else None
    series, matched = comparison_series(
        areas=data["area"],
        activities=data["activity"],
        adjustment=data["adjustment"],
        transformation=data["transformation"],
        freq=data["freq"],
    )
    groups = group_codes()
    compared = []
    for item in series:
        parsed = Key.parse(item.series_key)
        assert parsed is not None
        group = item.ref_area in groups
        coverage = ""
        if group:
            members = ", ".join(member.name for member in group_members(item.ref_area))
            latest = item.attributes.get("COVERAGE")
            coverage = f"computed from {members}"
            if latest is not None:
                coverage += (
                    f"; {words.number(latest, 1)}% of their value added reported in the "
                    "latest period"
                )
        compared.append(
            Compared(
                item.series_key,
                words.short_label(parsed),
                series_url(item.series_key),
                series_points(item.series_key, start=start),
                places(item.transformation, item.attributes),
                group,
                coverage,
            )
        )
    return compared, matched


def _table(compared: list[Compared]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Rows of periods (newest first), a cell per series (and its coverage for a group)."""
    by_series = [{p.time_period: p for p in c.points} for c in compared]
    periods = sorted({period for values in by_series for period in values}, reverse=True)
    rows = []
    for period in periods:
        cells: list[tuple[str, str | None]] = []
        for c, values in zip(compared, by_series, strict=True):
            point = values.get(period)
            value = words.number(point.value, c.decimals) if point else words.DASH
            coverage = None
            if c.group:
                coverage = (
                    words.number(point.coverage, 1)
                    if point and point.coverage is not None
                    else words.DASH
                )
            cells.append((value, coverage))
        rows.append((words.period(period), cells))
    return rows


@require_safe
@any_agency
def compare(request: HttpRequest) -> HttpResponse:
    form = _compare_form(request)
    compared: list[Compared] = []
    matched = 0
    if form.is_valid():
        compared, matched = _compared(form)
    data = form.cleaned_data if form.is_valid() else {}
    transformation, freq = data.get("transformation", "IX"), data.get("freq", "M")
    unit = words.unit(transformation, freq)
    title = f"{words.VIEWS[transformation][freq]}, {words.FREQUENCIES[freq]} ({unit})"
    chart = {
        "transformation": transformation,
        "freq": freq,
        "title": title,
        "unit": unit,
        "lines": [chart_line(c.key, c.label, c.points) for c in compared],
    }
    query = request.GET.urlencode()
    return render(
        request,
        "web/compare.html",
        {
            "form": form,
            "title": title,
            "compared": compared,
            "matched": matched,
            "max_series": MAX_SERIES_ON_CHART,
            "groups": [c for c in compared if c.group],
            "table": _table(compared),
            "chart": chart,
            "points": sum(len(c.points) for c in compared),
            "csv_url": reverse("web:compare-csv") + (f"?{query}" if query else ""),
            "chart_library_version": chart_library_version(),
        },
        status=200 if form.is_valid() else 400,
    )


@require_safe
@any_agency
def compare_csv(request: HttpRequest) -> HttpResponse:
    """The compared series as shown, one row per value (long, as the API's CSV)."""
    form = _compare_form(request)
    if not form.is_valid():
        return HttpResponse(
            "The choice is not valid: " + form.errors.as_text(),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    compared, _ = _compared(form)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["KEY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "COVERAGE"])
    for c in compared:
        for p in c.points:
            coverage: Decimal | None = (
                rounded(p.coverage, 1) if c.group and p.coverage is not None else None
            )
            row: list[Any] = [
                c.key,
                p.time_period,
                rounded(p.value, c.decimals),
                p.status,
                coverage,
            ]
            writer.writerow(["" if v is None else v for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ipi-compare.csv"'
    return response
