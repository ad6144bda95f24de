"""Availability (`availableconstraint`): which codes and time range actually have current,
published data for a key, as an actual ContentConstraint."""

from __future__ import annotations

import calendar
from datetime import date

from django.db.models import Max, Min

from indices.disseminate.keys import DIMENSION_IDS, DIMENSIONS
from indices.disseminate.sdmx.errors import no_results, syntax_error
from indices.disseminate.sdmx.query import DataQuery
from indices.disseminate.sdmx.structures import Constraint
from indices.disseminate.selectors.published import observations_current, series_list
from indices.publish.models import PublishedObservation


def _keys_with_data(filters: dict, query: DataQuery) -> list[tuple]:
    """(series_key, dimension codes...) of the matching series that have current values."""
    series = series_list(**filters).values_list("series_key", *DIMENSIONS)
    by_key = {row[0]: row[1:] for row in series}
    with_data = (
        observations_current(by_key, start=query.start, end=query.end)
        .order_by()
        .values_list("series__series_key", flat=True)
        .distinct()
    )
    return [by_key[key] for key in with_data]


def _last_day(time_period: str, start: date) -> date:
    if len(time_period) == 4:  # annual
        return date(start.year, 12, 31)
    month = start.month + (2 if "Q" in time_period else 0)
    return date(start.year, month, calendar.monthrange(start.year, month)[1])


def available(query: DataQuery, component: str | None, mode: str) -> Constraint:
    if mode not in {"exact", "available"}:
        raise syntax_error(f"mode must be exact or available, not {mode!r}.")
    wanted = [*DIMENSION_IDS, "TIME_PERIOD"]
    if component and component not in {"all", "*"}:
        if component not in wanted:
            raise no_results(f"No component {component!r} in the structure.")
        wanted = [component]
    filters = query.key.as_filters()
    exact = _keys_with_data(filters, query)
    if not exact:
        raise no_results("No data match the key.")
    codes: dict[str, list[str]] = {}
    for position, (dim_id, name) in enumerate(zip(DIMENSION_IDS, DIMENSIONS, strict=True)):
        if dim_id not in wanted:
            continue
        rows = exact
        if mode == "available":  # what this dimension could take, the others as selected
            rows = _keys_with_data({**filters, name: ()}, query)
        codes[dim_id] = sorted({row[position] for row in rows})
    constraint = Constraint(codes)
    if "TIME_PERIOD" in wanted:
        keys = series_list(**filters).values_list("series_key", flat=True)
        current = observations_current(keys, start=query.start, end=query.end).order_by()
        bounds = current.aggregate(first=Min("period_start"), last=Max("period_start"))
        last_periods = (
            PublishedObservation.objects.filter(
                series__series_key__in=list(keys),
                valid_to__isnull=True,
                period_start=bounds["last"],
            )
            .values_list("time_period", flat=True)
            .distinct()
        )
        constraint.start = bounds["first"]
        if bounds["last"] is not None:
            constraint.end = max(_last_day(p, bounds["last"]) for p in last_periods)
    return constraint
