"""Pages of readers (and everyone signed in): the series explorer with its chart and vintage
view, the release calendar and the timeliness board. Published data only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from countries.standard import load_definition
from indices.web.access import PageRequest, any_agency, can_work_with_submissions
from indices.web.forms import ExplorerForm
from indices.web.selectors.explorer import (
    MAX_SERIES_ON_CHART,
    Line,
    area_names,
    calendar_entries,
    code_names,
    explorer_lines,
    first_published,
    group_codes,
    published_areas,
    published_choices,
    published_of_area,
)
from indices.web.selectors.timeliness import timeliness_board
from indices.web.views.assets import chart_library_version


@require_safe
@any_agency
def home(request: PageRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"works_with_submissions": can_work_with_submissions(request.principal)},
    )


MEASURES = {
    "IX": {"M": "Index level", "Q": "Index level", "A": "Index level"},
    "PCH_PRE": {
        "M": "Month-on-month growth",
        "Q": "Quarter-on-quarter growth",
        "A": "Growth on the year before",
    },
    "PCH_SM": {"M": "Year-on-year growth", "Q": "Year-on-year growth", "A": "Year-on-year growth"},
}
UNITS = {
    "IX": "index, 2021 = 100",
    "PCH_PRE": "% on the period before",
    "PCH_SM": "% on a year earlier",
}
FREQUENCY_WORDS = {"M": "monthly", "Q": "quarterly", "A": "annual"}


@require_safe
@any_agency
def explorer(request: HttpRequest) -> HttpResponse:
    choices = published_choices()
    query = request.GET.copy()
    query.setdefault("transformation", "IX")
    query.setdefault("freq", "M")
    form = ExplorerForm(query, choices=choices)
    lines: list[Line] = []
    transformation, freq = "IX", "M"
    params: dict[str, Any] | None
    as_of, as_of_day = None, None
    if not request.GET:
        # A first look: manufacturing, not adjusted, index level, every country that has it;
        # the form shows those countries chosen, as they are the ones drawn.
        areas = published_areas(freq="M", activity="C", adjustment="N", transformation="IX")
        form = ExplorerForm(
            initial={
                "country": areas,
                "activity": "C",
                "adjustment": "N",
                "transformation": "IX",
                "freq": "M",
            },
            choices=choices,
        )
        params = {"countries": areas, "activity": "C", "adjustment": "N", "start": None}
    elif form.is_valid():
        data = form.cleaned_data
        transformation = data["transformation"] or "IX"
        freq = data["freq"] or "M"
        params = {
            "countries": data["country"],
            "activity": data["activity"],
            "adjustment": data["adjustment"],
            "start": data["start"],
        }
        as_of_day = data["as_of"]
        if as_of_day:
            # The end of the chosen day: what a reader saw that evening.
            as_of = timezone.make_aware(datetime.combine(as_of_day, time.min)) + timedelta(days=1)
    else:
        params = None
    matched = 0
    notices: list[str] = []
    if params is not None:
        lines, matched = explorer_lines(
            transformation=transformation,
            as_of=as_of,
            as_of_label=f"{as_of_day}" if as_of_day else "",
            freq=freq,
            **params,
        )
        notices = _missing(lines, params, transformation=transformation, freq=freq)
        if as_of_day:
            notices += _missing_vintage(lines, as_of_day)
    current = [line for line in lines if line.vintage == "current"]
    chart = {
        "transformation": transformation,
        "freq": freq,
        "title": _title(current, transformation, freq),
        "unit": UNITS[transformation],
        "lines": [
            {
                "key": line.series_key,
                "label": line.label
                if line.vintage == "current"
                else f"{line.label} (as of {line.vintage})",
                "vintage": line.vintage,
                "periods": [p for p, _ in line.points],
                "values": [v for _, v in line.points],
            }
            for line in lines
        ],
    }
    return render(
        request,
        "web/explorer.html",
        {
            "form": form,
            "chart": chart,
            "lines": lines,
            "points": sum(len(line.points) for line in lines),
            "matched": matched,
            "notices": notices,
            "max_series": MAX_SERIES_ON_CHART,
            "chart_library_version": chart_library_version(),
        },
        status=200 if params is not None else 400,
    )


def series_url(series_key: str) -> str:
    """The page of this very series (FREQ.AREA.ACTIVITY.ADJUSTMENT.TRANSFORMATION)."""
    if len(series_key.split(".")) != 5:
        return reverse("web:find")
    return reverse("web:series", args=[series_key])


def _title(lines: list[Line], transformation: str, freq: str) -> str:
    """What the chart shows, in words: the measure, then the series' area, activity and
    adjustment when they are one, or how many there are."""
    measure = MEASURES[transformation][freq]
    if not lines:
        return measure
    areas, activities, adjustments = (
        area_names(),
        code_names("CL_ACTIVITY_ISIC4"),
        code_names("CL_ADJUSTMENT"),
    )

    def said(codes: list[str], names: dict[str, str], what: str, with_code: bool) -> str:
        unique = list(dict.fromkeys(codes))
        if len(unique) > 3:
            return f"{len(unique)} {what}"
        return ", ".join(
            f"{c} {names.get(c, '')}".strip() if with_code else names.get(c, c) for c in unique
        )

    parts = [
        said([line.area for line in lines], areas, "areas", False),
        said([line.activity for line in lines], activities, "activities", True),
        said([line.adjustment for line in lines], adjustments, "adjustments", False).lower(),
    ]
    if freq != "M":
        parts.append(FREQUENCY_WORDS[freq])
    return f"{measure}: " + " · ".join(parts)


def _missing(
    lines: list[Line], params: dict[str, Any], *, transformation: str, freq: str
) -> list[str]:
    """Why a chosen area draws nothing: nothing published with this choice (and, for a group,
    when its index is published), with what is published for it instead."""
    drawn = {line.area for line in lines}
    wanted = [c for c in params["countries"] if c not in drawn]
    choice = ", ".join(
        part
        for part in (
            f"activity {params['activity']}" if params["activity"] else "",
            f"adjustment {params['adjustment']}" if params["adjustment"] else "",
            MEASURES[transformation][freq].lower(),
            FREQUENCY_WORDS[freq],
        )
        if part
    )
    names, groups = area_names(), group_codes()
    notices = []
    if not params["countries"] and not lines:
        notices.append(f"No published series for {choice}.")
    for area in wanted:
        text = f"No published series for {names.get(area, area)} ({area}) with {choice}."
        if area in groups:
            coverage = load_definition().threshold("H6", "min_coverage_pct")
            text += (
                f" {area} is a group of members: its index is computed once members that carry "
                f"at least {coverage:g}% of its value added have reported every month of a "
                "year, for the activities and adjustments they report."
            )
        present = published_of_area(area=area, freq=freq, transformation=transformation)
        if present:
            shown = ", ".join(f"{act} {adj}" for act, adj in present[:8])
            more = f" and {len(present) - 8} more" if len(present) > 8 else ""
            text += f" Published for {area} (activity, adjustment): {shown}{more}."
        else:
            text += f" Nothing is published for {area} yet."
        notices.append(text)
    return notices


def _missing_vintage(lines: list[Line], day: date) -> list[str]:
    """A vintage date that adds no line (or not every line) says so, and since when."""
    current = [line for line in lines if line.vintage == "current"]
    earlier = {line.series_key for line in lines if line.vintage != "current"}
    absent = [line for line in current if line.series_key not in earlier]
    if not absent:
        return []
    first = first_published([line.series_key for line in absent])
    since = f" The first of their values was published on {first:%Y-%m-%d}." if first else ""
    if len(absent) == len(current):
        return [
            f"Nothing of these series had been published by the end of {day:%Y-%m-%d}, so no "
            f"earlier vintage is drawn; pick a later date.{since}"
        ]
    names = ", ".join(line.label for line in absent)
    return [f"{names}: not yet published by the end of {day:%Y-%m-%d}, so no vintage drawn.{since}"]


@require_safe
@any_agency
def release_calendar(request: HttpRequest) -> HttpResponse:
    names = area_names()
    country = request.GET.get("country", "")
    if country not in names:
        country = ""
    upcoming, published = calendar_entries(country=country)
    return render(
        request,
        "web/calendar.html",
        {
            "upcoming": upcoming,
            # Each changed series links to its own page.
            "published": [
                (release, [(key, series_url(key)) for key in release.changed_series[:8]])
                for release in published
            ],
            "names": names,
            "country": country,
            "countries": sorted(names.items()),
        },
    )


@require_safe
@any_agency
def timeliness(request: HttpRequest) -> HttpResponse:
    board = timeliness_board(today=timezone.now().date())
    return render(
        request,
        "web/timeliness.html",
        {"board": board, "periods": [p for p, _ in board[0].months] if board else []},
    )
