"""The pull API for partner systems: the series catalog and the data of one or many series
(SDMX key syntax), as JSON for programs or CSV for pandas. Published data only."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from indices.disseminate.apis.base import KnownCountPagination, ReadApi, StoredAnswers
from indices.disseminate.csv import (
    CHANGE_COLUMNS,
    HISTORY_COLUMNS,
    DataCsvRenderer,
    decimals_of,
    rounded,
)
from indices.disseminate.keys import DIMENSION_IDS, DIMENSIONS, KeyFilter
from indices.disseminate.query import DataQuery, dimension_filter
from indices.disseminate.selectors.published import (
    changes_since,
    observations_as_of,
    observations_current,
    observations_history,
    series_list,
)
from indices.disseminate.selectors.versions import series_version, version_of
from indices.periods import period_label
from indices.publish.harmonization import attributes_shown, coverage_shown
from indices.publish.models import PublishedObservation, PublishedSeries
from ipi_exchange.errors import NotFound, TooLarge
from ipi_exchange.http.params import parse_instant, reject_unknown
from ipi_exchange.http.schema import (
    CODES_PATTERN,
    CONFLICTING_MODES,
    INSTANT_PATTERN,
    INVALID_RANGE,
    KEY_PATTERN,
    PERIOD_PATTERN,
    TOO_MANY_OBSERVATIONS,
    refusals,
    string,
    whole,
)

DATAFLOW = "MKG:DF_IPI(1.0)"
DIMENSION_PARAMETERS = [
    OpenApiParameter(name, string(CODES_PATTERN), description="Codes, comma-separated")
    for name in DIMENSIONS
]
# A parameter given empty is refused (params.reject_blank): no pattern allows it.
INSTANT = string(INSTANT_PATTERN)
PERIOD = string(PERIOD_PATTERN)
# The JSON body of /data/, or the same observations as CSV (`?format=csv`, `Accept: text/csv`).
DATA_RESPONSES = {
    (200, "application/json"): dict,
    (200, "text/csv"): {"type": "string"},
    413: OpenApiResponse(
        description="More observations than one answer holds: use the bulk export"
    ),
}


def dimensions_of(series: PublishedSeries) -> dict[str, str]:
    return {
        dim_id: getattr(series, name)
        for dim_id, name in zip(DIMENSION_IDS, DIMENSIONS, strict=True)
    }


class SeriesListApi(ReadApi):
    """GET /series/: the catalog of published series, filtered on any dimension."""

    @extend_schema(
        parameters=[
            *DIMENSION_PARAMETERS,
            OpenApiParameter("updatedAfter", INSTANT, description="ISO 8601 instant"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response | HttpResponseNotModified:
        params = request.query_params
        reject_unknown(params, (*DIMENSIONS, "updatedAfter", "limit", "offset"))
        series = series_list(**dimension_filter(params).as_filters())
        if params.get("updatedAfter"):
            since = parse_instant("updatedAfter", params["updatedAfter"])
            series = series.filter(last_updated_at__gt=since)
        version = series_version(series)
        if (fresh := self.not_modified(request, version)) is not None:
            return fresh
        paginator = KnownCountPagination(version.count)
        page = paginator.paginate_queryset(series, request, view=self)
        assert page is not None  # PAGE_SIZE is set: limit/offset always pages
        spans = {
            row["series__series_key"]: row
            for row in PublishedObservation.objects.filter(
                series__series_key__in=[s.series_key for s in page], valid_to__isnull=True
            )
            .values("series__series_key")
            .annotate(first=Min("period_start"), last=Max("period_start"), n=Count("*"))
        }
        return paginator.get_paginated_response(
            [self._entry(request, s, spans.get(s.series_key)) for s in page]
        )

    @staticmethod
    def _entry(request: Request, series: PublishedSeries, span: Mapping[str, Any] | None) -> dict:
        return {
            "key": series.series_key,
            "dimensions": dimensions_of(series),
            "attributes": attributes_shown(series.attributes),
            "first_period": period_label(series.freq, span["first"]) if span else None,
            "last_period": period_label(series.freq, span["last"]) if span else None,
            "observations": span["n"] if span else 0,
            "first_published_at": series.first_published_at,
            "last_updated_at": series.last_updated_at,
            "data_url": reverse("series-data", args=[series.series_key], request=request),
        }


PERIOD_DESCRIPTION = "YYYY, YYYY-Qn, YYYY-Sn, YYYY-MM or YYYY-MM-DD"
DATA_PARAMETERS = [
    OpenApiParameter("startPeriod", PERIOD, description=PERIOD_DESCRIPTION),
    OpenApiParameter("endPeriod", PERIOD, description=PERIOD_DESCRIPTION),
    OpenApiParameter("asOf", INSTANT, description="ISO 8601 instant: values as they stood"),
    OpenApiParameter("includeHistory", bool, description="Every vintage"),
    OpenApiParameter("updatedAfter", INSTANT, description="ISO 8601 instant: changes only"),
    OpenApiParameter("lastNObservations", whole()),
]
DATA_REFUSALS = refusals(CONFLICTING_MODES, INVALID_RANGE, TOO_MANY_OBSERVATIONS)
KEY_PARAMETER = OpenApiParameter(
    "key",
    string(KEY_PATTERN),
    OpenApiParameter.PATH,
    description="SDMX series key FREQ.REF_AREA.ACTIVITY.ADJUSTMENT.TRANSFORMATION, e.g. "
    "M.TH.C.N.IX; an empty position means every code, + joins codes; all or * for everything",
)


class DataApi(StoredAnswers, ReadApi):
    """GET /data/{key}: observations of the series the key selects."""

    renderer_classes = [JSONRenderer, DataCsvRenderer]
    csv_extra: list[str] = []

    @extend_schema(
        parameters=[KEY_PARAMETER, *DATA_PARAMETERS],
        responses=DATA_RESPONSES,
        extensions=DATA_REFUSALS,
    )
    def get(
        self, request: Request, key: str = "all", format: str | None = None
    ) -> Response | HttpResponseNotModified:
        query = DataQuery.of(key, request.query_params)
        series_qs = series_list(**query.key.as_filters())
        # A few series: fetch them and derive the version; many: one aggregate for the 304.
        series = list(series_qs) if _is_narrow(query.key) else None
        version = version_of(series) if series is not None else series_version(series_qs)
        if version.count == 0:
            raise NotFound(f"No published series matches the key {key!r}.", code="no_series")
        if (fresh := self.not_modified(request, version)) is not None:
            return fresh
        if query.include_history:
            self.csv_extra = HISTORY_COLUMNS
        elif query.updated_after:
            self.csv_extra = CHANGE_COLUMNS
        if series is None:
            series = list(series_qs)
        observations = self._observations(query, [s.series_key for s in series])
        body: list[dict[str, Any]] = [
            {
                "key": s.series_key,
                "dimensions": dimensions_of(s),
                "attributes": attributes_shown(s.attributes),
                "observations": observations[s.series_key],
            }
            for s in series
            if observations.get(s.series_key)
        ]
        if not body:
            raise NotFound(
                f"The series matching {key!r} have no observations for these parameters.",
                code="no_data",
            )
        decimals = {s.series_key: decimals_of(s) for s in series}
        for item in body:
            places = decimals[item["key"]]
            for o in item["observations"]:
                # float: JSON numbers; the CSV renderer prints them with DECIMALS places.
                value = rounded(o["value"], places)
                o["value"] = None if value is None else float(value)
        return Response(
            {
                "dataflow": DATAFLOW,
                "key": key,
                "last_updated": version.last_modified,
                "series": body,
            }
        )

    def _observations(self, query: DataQuery, keys: list[str]) -> dict[str, list[dict]]:
        """Per series key, its observations as dicts, in period order (history: oldest
        vintage first; changes: updates then deletions)."""
        start, end = query.periods.start, query.periods.end
        limit = int(getattr(settings, "IPI_DATA_MAX_OBSERVATIONS", 500_000))
        rows: list[tuple[str, date, dict]]
        if query.updated_after:
            rows = [
                (
                    c.series_key,
                    c.period_start,
                    {
                        "period": c.time_period,
                        "value": c.value,
                        "status": c.status,
                        **({"comment": c.comment} if c.comment else {}),
                        "action": c.action,
                        "changed_at": c.at,
                    },
                )
                for c in changes_since(query.updated_after, keys)
                if (start is None or c.period_start >= start)
                and (end is None or c.period_start <= end)
            ]
            rows.sort(key=lambda r: (r[0], r[1], r[2]["action"]))
        else:
            if query.include_history:
                found = observations_history(keys, start=start, end=end)
            elif query.as_of:
                found = observations_as_of(keys, query.as_of, start=start, end=end)
            else:
                found = observations_current(keys, start=start, end=end)
            fields = ["series_key", "period_start", "time_period", "value", "status"]
            fields += ["coverage", "comment"]
            if query.include_history:
                fields += ["valid_from", "valid_to"]
            rows = [_row(values) for values in found.values_list(*fields)[: limit + 1]]
        if len(rows) > limit:
            raise TooLarge(
                f"More than {limit:,} observations: narrow the key or the periods, or use "
                "the bulk export (/api/v1/bulk/data.csv).",
                code="too_many_observations",
            )
        by_series: dict[str, list[dict]] = defaultdict(list)
        for series_key, group in groupby(rows, key=lambda r: r[0]):
            items = list(group)
            if query.last_n:
                periods = sorted({period for _, period, _ in items})[-query.last_n :]
                items = [item for item in items if item[1] >= periods[0]]
            by_series[series_key] = [observation for _, _, observation in items]
        return by_series


def _is_narrow(key: KeyFilter, most: int = 50) -> bool:
    return math.prod(len(codes) or most + 1 for codes in key.as_filters().values()) <= most


def _row(values: tuple) -> tuple[str, date, dict]:
    series_key, period_start, period, value, status, coverage, comment, *vintage = values
    observation = {"period": period, "value": value, "status": status}
    if coverage is not None:
        observation["coverage"] = coverage_shown(coverage)
    if comment:
        observation["comment"] = comment
    if vintage:
        observation["valid_from"], observation["valid_to"] = vintage
    return series_key, period_start, observation


class DataAllApi(DataApi):
    """GET /data/: the same as /data/all (its own OpenAPI operation)."""

    @extend_schema(
        operation_id="data_all",
        parameters=DATA_PARAMETERS,
        responses=DATA_RESPONSES,
        extensions=DATA_REFUSALS,
    )
    def get(
        self, request: Request, key: str = "all", format: str | None = None
    ) -> Response | HttpResponseNotModified:
        return super().get(request, key=key, format=format)
