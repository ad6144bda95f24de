"""GET /bulk/data.csv: the whole dataflow (or the part a key or dimension filters select) as
CSV streamed straight from PostgreSQL's `COPY (SELECT ...) TO STDOUT`, in constant memory
however large. Current values of published series only; values rounded as published."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from indices.disseminate.apis.base import ReadApi
from indices.disseminate.apis.series import (
    DIMENSION_PARAMETERS,
    PERIOD,
    PERIOD_DESCRIPTION,
)
from indices.disseminate.keys import DIMENSIONS
from indices.disseminate.query import PeriodRange, dimension_filter, parse_key_path
from indices.disseminate.selectors.bulk import copy_chunks, export_statement
from indices.disseminate.selectors.published import series_list
from indices.disseminate.selectors.versions import series_version
from ipi_exchange.http.params import invalid, reject_unknown
from ipi_exchange.http.schema import (
    INVALID_RANGE,
    KEY_OR_FILTERS,
    KEY_PATTERN,
    refusals,
    string,
)

FILENAME = "MKG_DF_IPI_1.0.csv"


class CsvStreamRenderer(BaseRenderer):
    """Lets `Accept: text/csv` and `?format=csv` negotiate; the body is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return str(data).encode()


class BulkDataApi(ReadApi):
    renderer_classes = [CsvStreamRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "key",
                string(KEY_PATTERN),
                description="SDMX key, e.g. M.TH+VN..N.IX (or dimension filters, not both)",
            ),
            *DIMENSION_PARAMETERS,
            OpenApiParameter("startPeriod", PERIOD, description=PERIOD_DESCRIPTION),
            OpenApiParameter("endPeriod", PERIOD, description=PERIOD_DESCRIPTION),
        ],
        # The CSV text (not "binary": a client reads it as text, and the check reads it).
        responses={(200, "text/csv"): {"type": "string"}},
        extensions=refusals(KEY_OR_FILTERS, INVALID_RANGE),
    )
    def get(self, request: Request, format: str | None = None):
        params = request.query_params
        reject_unknown(params, ("key", *DIMENSIONS, "startPeriod", "endPeriod"))
        if params.get("key") and any(params.get(name) for name in DIMENSIONS):
            raise invalid(
                "key", "Give either a key or dimension filters, not both.", "conflicting_parameters"
            )
        key = parse_key_path(params["key"]) if params.get("key") else dimension_filter(params)
        periods = PeriodRange.of(params)
        version = series_version(series_list(**key.as_filters()))
        if (fresh := self.not_modified(request, version)) is not None:
            return fresh
        response = StreamingHttpResponse(
            copy_chunks(export_statement(key, periods)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
        return response
