"""The vintages of a series (`/series/<key>/vintages/`), as in ALFRED: the releases that
changed it, any two overlaid, the differences and every revision per period."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from indices.web import words
from indices.web.access import any_agency
from indices.web.selectors.series import (
    Revision,
    SeriesRelease,
    series_get,
    series_history,
    series_points,
)
from indices.web.views.assets import chart_library_version
from indices.web.views.series import (
    chart_line,
    decimals_shown,
    not_found_page,
    release_said,
    series_url,
)
from indices.web.words import Key


@require_safe
@any_agency
def series_vintages(request: HttpRequest, key: str) -> HttpResponse:
    """ALFRED's view: the releases that changed the series, any two vintages overlaid, the
    differences between them and every revision, per period."""
    parsed = Key.parse(key)
    series = series_get(key) if parsed else None
    if series is None or parsed is None:
        return not_found_page(request, key)
    releases, revisions = series_history(key)
    ids = [item.release.pk for item in releases]
    later_id = _release_id(request.GET.get("later"), ids, ids[0] if ids else None)
    earlier_default = (
        ids[ids.index(later_id) + 1]
        if later_id in ids and ids.index(later_id) + 1 < len(ids)
        else later_id
    )
    earlier_id = _release_id(request.GET.get("earlier"), ids, earlier_default)
    by_id = {item.release.pk: item for item in releases}
    decimals = decimals_shown(series)
    lines, table = [], []
    chosen = [by_id[i] for i in dict.fromkeys((earlier_id, later_id)) if i is not None]
    if len(chosen) == 2 and ids.index(chosen[0].release.pk) < ids.index(chosen[1].release.pk):
        chosen.reverse()  # earlier first, whatever was picked where
    values: list[dict[str, float]] = []
    for position, item in enumerate(chosen):
        points = series_points(key, as_of=item.release.published_at)
        values.append({p.time_period: p.value for p in points})
        newest = position == len(chosen) - 1
        lines.append(
            chart_line(
                key,
                f"As published {words.day(item.release.published_at)}",
                points,
                vintage="current" if newest else f"{item.release.published_at:%Y-%m-%d}",
                dash="solid" if newest else "dot",
            )
        )
    if len(values) == 2:
        earlier_values, later_values = values
        for period in sorted(set(earlier_values) | set(later_values), reverse=True):
            new, old = later_values.get(period), earlier_values.get(period)
            difference = new - old if new is not None and old is not None else None
            table.append(
                (
                    words.period(period),
                    words.number(new, decimals),
                    words.number(old, decimals),
                    words.number(difference, decimals) if difference is not None else words.DASH,
                    new != old,
                )
            )
    title = words.title(parsed, series.attributes.get("REF_YEAR"))
    unit = words.unit(parsed.transformation, parsed.freq, series.attributes.get("REF_YEAR"))
    return render(
        request,
        "web/vintages.html",
        {
            "key": key,
            "title": title,
            "unit": unit,
            "series_url": series_url(key),
            "releases": [
                (item, words.day(item.release.published_at), _pair_url(key, ids, item.release.pk))
                for item in releases
            ],
            "choices": [(item.release.pk, release_said(item)) for item in releases],
            "earlier": chosen[0] if chosen else None,
            "later": chosen[-1] if chosen else None,
            "earlier_said": words.day(chosen[0].release.published_at) if chosen else "",
            "later_said": words.day(chosen[-1].release.published_at) if chosen else "",
            "table": table,
            "changed": sum(1 for row in table if row[4]),
            "revisions": [_revision_row(r, decimals, by_id) for r in revisions],
            "chart": {
                "transformation": parsed.transformation,
                "freq": parsed.freq,
                "title": title,
                "unit": unit,
                "lines": lines,
            },
            "points": sum(len(line["values"]) for line in lines),
            "chart_library_version": chart_library_version(),
        },
    )


def _release_id(text: str | None, ids: list[int], default: int | None) -> int | None:
    if text and text.isdigit() and int(text) in ids:
        return int(text)
    return default


def _pair_url(key: str, ids: list[int], release_id: int) -> str:
    """This release beside the one before it."""
    index = ids.index(release_id)
    earlier = ids[index + 1] if index + 1 < len(ids) else release_id
    query = urlencode({"earlier": earlier, "later": release_id})
    return f"{reverse('web:series-vintages', args=[key])}?{query}#compare"


def _revision_row(revision: Revision, decimals: int, by_id: dict[int, SeriesRelease]) -> tuple:
    difference = revision.difference
    return (
        words.period(revision.time_period),
        words.day(revision.at),
        "withdrawn" if revision.value is None else words.number(revision.value, decimals),
        words.number(revision.previous, decimals),
        words.number(difference, decimals) if difference is not None else words.DASH,
    )
