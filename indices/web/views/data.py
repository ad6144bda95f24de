"""Pages of readers (and everyone signed in): the series explorer with its chart and vintage
view, the release calendar and the timeliness board. Published data only."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from indices.web.access import PageRequest, any_agency, can_work_with_submissions
from indices.web.forms import ExplorerForm
from indices.web.selectors import (
    MAX_SERIES_ON_CHART,
    Line,
    area_names,
    calendar_entries,
    explorer_lines,
    published_choices,
    timeliness_board,
)
from indices.web.views.assets import chart_library_version


@require_safe
@any_agency
def home(request: PageRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"works_with_submissions": can_work_with_submissions(request.principal)},
    )


@require_safe
@any_agency
def explorer(request: HttpRequest) -> HttpResponse:
    choices = published_choices()
    query = request.GET.copy()
    query.setdefault("transformation", "IX")
    form = ExplorerForm(query, choices=choices)
    lines: list[Line] = []
    matched, transformation = 0, "IX"
    params: dict[str, Any] | None
    if not request.GET:
        # A first look: manufacturing, not adjusted, every country, index level.
        form = ExplorerForm(
            initial={"activity": "C", "adjustment": "N", "transformation": "IX"}, choices=choices
        )
        params = {"countries": [], "activity": "C", "adjustment": "N", "start": None}
        as_of = None
    elif form.is_valid():
        data = form.cleaned_data
        transformation = data["transformation"] or "IX"
        params = {
            "countries": data["country"],
            "activity": data["activity"],
            "adjustment": data["adjustment"],
            "start": data["start"],
        }
        as_of = None
        if data["as_of"]:
            # The end of the chosen day: what a reader saw that evening.
            as_of = timezone.make_aware(datetime.combine(data["as_of"], time.min)) + timedelta(
                days=1
            )
    else:
        params, as_of = None, None
    if params is not None:
        lines, matched = explorer_lines(
            transformation=transformation,
            as_of=as_of,
            as_of_label=f"{form.cleaned_data['as_of']}" if as_of else "",
            **params,
        )
    chart = {
        "transformation": transformation,
        "unit": "% on a year earlier" if transformation == "PCH_SM" else "index, 2021 = 100",
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
            "max_series": MAX_SERIES_ON_CHART,
            "chart_library_version": chart_library_version(),
        },
        status=200 if params is not None else 400,
    )


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
            "published": published,
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
