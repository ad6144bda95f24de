"""A page per series at its key (`/series/M.TH.C.N.IX/`) and its downloads (CSV, XLSX), as in
FRED (its vintages: views/vintages.py). Published data only, through
indices.web.selectors (which read indices.disseminate.selectors.published)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from indices.disseminate.csv import places, rounded
from indices.disseminate.selectors.adjustment import adjustment_body, adjustment_published
from indices.publish.models import PublishedSeries
from indices.web import words
from indices.web.access import any_agency
from indices.web.selectors.explorer import group_codes
from indices.web.selectors.series import (
    Point,
    SeriesRelease,
    agency_name,
    group_members,
    series_family,
    series_get,
    series_history,
    series_points,
    values_at,
)
from indices.web.views.assets import chart_library_version
from indices.web.views.submissions import XLSX_MEDIA_TYPE
from indices.web.words import Key

STATUS_WORDS = {
    "A": "",
    "P": "provisional",
    "E": "estimated",
    "B": "break in series",
    "I": "imputed",
    "U": "low reliability",
}


def series_url(key: Key | str, **query: Any) -> str:
    url = reverse("web:series", args=[str(key)])
    query = {name: value for name, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def not_found_page(request: HttpRequest, key: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "No such series",
            "message": (
                f"Nothing is published under the key {key[:60]}. Find a series by its country "
                "and activity on the Find page."
            ),
            "link": (reverse("web:find"), "Find a series"),
        },
        status=404,
    )


def _start(request: HttpRequest) -> tuple[date | None, str]:
    """The first year shown (`?start=2022`), or everything."""
    text = request.GET.get("start", "")
    if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2999:
        return date(int(text), 1, 1), text
    return None, ""


@dataclass(frozen=True)
class Switch:
    label: str
    url: str
    current: bool


def _switches(key: Key, family: set[str], start: str) -> tuple[list[Switch], list[Switch]]:
    """The series' views (level, period on period, year on year) and frequencies that are
    published: links to their own pages, so they work without JavaScript."""
    views = [
        Switch(
            words.VIEWS[t][key.freq],
            series_url(key.but(transformation=t), start=start),
            t == key.transformation,
        )
        for t in ("IX", "PCH_PRE", "PCH_SM")
        if str(key.but(transformation=t)) in family
    ]
    freqs = []
    for freq in ("M", "Q", "A"):
        other = key.but(freq=freq)
        if freq == "A" and key.transformation == "PCH_SM":
            other = other.but(transformation="PCH_PRE")  # a year on the year before
        if str(other) not in family:
            other = other.but(transformation="IX")
        if str(other) in family:
            freqs.append(
                Switch(
                    words.FREQUENCIES[freq].capitalize(),
                    series_url(other, start=start),
                    freq == key.freq,
                )
            )
    return views, freqs


def _latest(key: Key, points: list[Point], decimals_of: dict[str, int]) -> dict[str, str] | None:
    """The newest value shown, with the level and its two changes for that period."""
    if not points:
        return None
    newest = points[-1].time_period
    level, pre, same = (str(key.but(transformation=t)) for t in ("IX", "PCH_PRE", "PCH_SM"))
    found = values_at([level, pre, same], newest)
    return {
        "period": words.period(newest),
        "level": words.number(found.get(level), decimals_of.get("IX", 2)) if level in found else "",
        "pre": words.change(found[pre], decimals_of.get("PCH", 1)) if pre in found else "",
        "same": words.change(found[same], decimals_of.get("PCH", 1)) if same in found else "",
        "pre_label": words.VIEWS["PCH_PRE"][key.freq].lower(),
        "same_label": "year on year",
    }


def _notes(series: PublishedSeries, key: Key, points: list[Point]) -> list[tuple[str, str]]:
    """The series' attributes, said in words."""
    attributes = series.attributes
    notes = [("Unit", words.unit(key.transformation, key.freq, attributes.get("REF_YEAR")))]
    if attributes.get("REF_YEAR"):
        notes.append(("Reference year", f"{attributes['REF_YEAR']} = 100 (average of its months)"))
    if key.area in group_codes():
        members = group_members(key.area)
        notes.append(
            (
                "Members",
                ", ".join(member.name for member in members)
                + ": a regional aggregate of their indices, weighted by value added",
            )
        )
        if attributes.get("COVERAGE") is not None:
            notes.append(
                (
                    "Coverage",
                    f"{words.number(attributes['COVERAGE'], 1)}% of the group's value added "
                    "reported in the latest period; each period's coverage is in the table",
                )
            )
    if attributes.get("NAT_CLASSIF"):
        notes.append(("National classification", str(attributes["NAT_CLASSIF"])))
    if attributes.get("NAT_BASE_PER"):
        notes.append(("National base year", str(attributes["NAT_BASE_PER"])))
    if attributes.get("COMPILING_ORG"):
        organisation = str(attributes["COMPILING_ORG"])
        name = agency_name(organisation)
        notes.append(("Compiling agency", f"{name} ({organisation})" if name else organisation))
    elif key.area in group_codes():
        notes.append(("Compiling agency", "the exchange, from its members' published indices"))
    statuses = sorted({p.status for p in points if STATUS_WORDS.get(p.status)})
    if statuses:
        notes.append(("Flags", "; ".join(f"{s}: {STATUS_WORDS[s]}" for s in statuses)))
    notes.append(
        (
            "First published",
            words.day(series.first_published_at),
        )
    )
    return notes


def one_liners(request: HttpRequest, key: str, start: str) -> dict[str, str]:
    """The same data for programs: the REST and SDMX addresses, and pandas reading it."""
    site = request.build_absolute_uri("/").rstrip("/")
    rest = f"{site}/api/v1/data/{key}?format=csv"
    sdmx = f"{site}/sdmx/data/DF_IPI/{key}?format=csv"
    if start:
        rest += f"&startPeriod={start}"
        sdmx += f"&startPeriod={start}"
    bearer = "Authorization: Bearer $TOKEN"
    return {
        "rest": f'curl -H "{bearer}" "{rest}"',
        "sdmx": f'curl -H "{bearer}" "{sdmx}"',
        "pandas": (
            f'import pandas as pd; df = pd.read_csv("{rest}", '
            'storage_options={"Authorization": "Bearer ipi_..."})'
        ),
    }


def _shown(request: HttpRequest, key: str) -> tuple[PublishedSeries, Key, list[Point], str] | None:
    parsed = Key.parse(key)
    series = series_get(key) if parsed else None
    if series is None or parsed is None:
        return None
    start, start_text = _start(request)
    return series, parsed, series_points(key, start=start), start_text


def decimals_shown(series: PublishedSeries) -> int:
    return places(series.transformation, series.attributes)


def chart_line(
    key: str, label: str, points: list[Point], vintage: str = "current", **extra: Any
) -> dict:
    return {
        "key": key,
        "label": label,
        "vintage": vintage,
        "periods": [p.time_period for p in points],
        "values": [p.value for p in points],
        **extra,
    }


def release_said(item: SeriesRelease) -> str:
    release = item.release
    return f"{words.day(release.published_at)} · {release.agency.name}"


@require_safe
@any_agency
def series_page(request: HttpRequest, key: str) -> HttpResponse:
    shown = _shown(request, key)
    if shown is None:
        return not_found_page(request, key)
    series, parsed, points, start = shown
    family = series_family(area=parsed.area, activity=parsed.activity, adjustment=parsed.adjustment)
    views, freqs = _switches(parsed, family, start)
    decimals = decimals_shown(series)
    title = words.title(parsed, series.attributes.get("REF_YEAR"))
    unit = words.unit(parsed.transformation, parsed.freq, series.attributes.get("REF_YEAR"))
    releases, revisions = series_history(key)
    is_group = parsed.area in group_codes()
    years = sorted({p.time_period[:4] for p in series_points(key)})
    query = {"start": start} if start else {}
    return render(
        request,
        "web/series.html",
        {
            "series": series,
            "key": key,
            "title": title,
            "unit": unit,
            "views": views,
            "freqs": freqs,
            "latest": _latest(
                parsed,
                points,
                {
                    "IX": decimals if parsed.transformation == "IX" else 2,
                    "PCH": 1 if parsed.transformation == "IX" else decimals,
                },
            ),
            "rows": [
                (
                    words.period(p.time_period),
                    words.number(p.value, decimals),
                    STATUS_WORDS.get(p.status, p.status),
                    words.number(p.coverage, 1) if p.coverage is not None else "",
                )
                for p in reversed(points)
            ],
            "is_group": is_group,
            "notes": _notes(series, parsed, points),
            "last_release": releases[0] if releases else None,
            "last_release_said": release_said(releases[0]) if releases else "",
            "releases_count": len(releases),
            "revisions_count": sum(1 for r in revisions),
            "chart": {
                "transformation": parsed.transformation,
                "freq": parsed.freq,
                "title": title,
                "unit": unit,
                "lines": [chart_line(key, words.short_label(parsed), points)],
            },
            "points": len(points),
            "start": start,
            "years": years,
            "csv_url": reverse("web:series-csv", args=[key])
            + (f"?{urlencode(query)}" if query else ""),
            "xlsx_url": reverse("web:series-xlsx", args=[key])
            + (f"?{urlencode(query)}" if query else ""),
            "code_blocks": [
                (name, text, f"code-{kind}")
                for kind, name, text in zip(
                    ("rest", "sdmx", "pandas"),
                    ("REST API, CSV", "SDMX web service, SDMX-CSV", "pandas (Python)"),
                    one_liners(request, key, start).values(),
                    strict=True,
                )
            ],
            "vintages_url": reverse("web:series-vintages", args=[key]),
            "chart_library_version": chart_library_version(),
            **_adjustment(key, parsed),
        },
    )


def _adjustment(key: str, parsed: Key) -> dict[str, Any]:
    """H7: the published diagnostics on the pages of Y and T series (none for aggregates,
    which are built from their members' Y)."""
    if parsed.adjustment not in ("Y", "T"):
        return {}
    found = adjustment_published(key)
    if found is None:
        return {}
    return {
        "adjustment": adjustment_body(key, found[0]),
        "adjustment_url": reverse("series-adjustment", args=[key]),
    }


def _download_rows(
    points: list[Point], decimals: int, is_group: bool
) -> tuple[list[str], list[list[Any]]]:
    header = ["TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"] + (["COVERAGE"] if is_group else [])
    rows: list[list[Any]] = []
    for p in points:
        row: list[Any] = [p.time_period, rounded(p.value, decimals), p.status]
        if is_group:
            row.append(rounded(p.coverage, 1) if p.coverage is not None else None)
        rows.append(row)
    return header, rows


def _filename(key: str, start: str, extension: str) -> str:
    return f"{key}{'-from-' + start if start else ''}.{extension}"


@require_safe
@any_agency
def series_csv(request: HttpRequest, key: str) -> HttpResponse:
    """Exactly the values the page shows (the same start), rounded as published."""
    shown = _shown(request, key)
    if shown is None:
        return not_found_page(request, key)
    series, parsed, points, start = shown
    header, rows = _download_rows(points, decimals_shown(series), parsed.area in group_codes())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["KEY", *header])
    for row in rows:
        writer.writerow([key, *("" if value is None else value for value in row)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(key, start, "csv")}"'
    return response


@require_safe
@any_agency
def series_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    """The same values in a workbook: a sheet of data and a sheet saying what they are."""
    from openpyxl import Workbook

    shown = _shown(request, key)
    if shown is None:
        return not_found_page(request, key)
    series, parsed, points, start = shown
    decimals = decimals_shown(series)
    header, rows = _download_rows(points, decimals, parsed.area in group_codes())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "data"
    sheet.append(header)
    number_format = "0." + "0" * decimals if decimals else "0"
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    sheet.freeze_panes = "A2"
    about = book.create_sheet("about")
    title = words.title(parsed, series.attributes.get("REF_YEAR"))
    for name, value in [
        ("Series", title),
        ("Key", key),
        ("Source", request.build_absolute_uri(series_url(key))),
        ("From", start or "the first period"),
        ("Downloaded", words.day(timezone.now())),
        *_notes(series, parsed, points),
    ]:
        about.append([name, value])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(key, start, "xlsx")}"'
    return response
