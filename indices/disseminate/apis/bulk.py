"""GET /bulk/data.csv: the whole dataflow (or the part a key or dimension filters select) as
CSV streamed straight from PostgreSQL's `COPY (SELECT ...) TO STDOUT`, in constant memory
however large. Current values of published series only; values rounded as published."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from psycopg import sql
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from indices.disseminate.apis.base import ReadApi
from indices.disseminate.keys import DIMENSIONS, KeyFilter
from indices.disseminate.query import PeriodRange, dimension_filter, parse_key_path
from indices.disseminate.selectors.published import series_list
from indices.disseminate.selectors.versions import series_version
from ipi_exchange.http.conditional import Validator, request_parts
from ipi_exchange.http.params import invalid, reject_unknown

CHUNK_BYTES = 256 * 1024
FILENAME = "MKG_DF_IPI_1.0.csv"

EXPORT = """
SELECT o.series_key AS "KEY", s.freq AS "FREQ", s.ref_area AS "REF_AREA",
       s.activity AS "ACTIVITY", s.adjustment AS "ADJUSTMENT",
       s.transformation AS "TRANSFORMATION", o.time_period AS "TIME_PERIOD",
       round(o.value::numeric, coalesce((s.attributes->>'DECIMALS')::int,
             CASE WHEN s.transformation = 'IX' THEN 2 ELSE 1 END)) AS "OBS_VALUE",
       o.status AS "OBS_STATUS",
       -- NULL, not '': COPY writes '' as "" and NULL as nothing, as the data CSV does.
       nullif(o.comment, '') AS "COMMENT"
FROM indices_publishedobservation AS o
JOIN indices_publishedseries AS s ON s.series_key = o.series_key
WHERE o.valid_to IS NULL {filters}
ORDER BY o.series_key, o.period_start
"""


class CsvStreamRenderer(BaseRenderer):
    """Lets `Accept: text/csv` and `?format=csv` negotiate; the body is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return str(data).encode()


def export_statement(key: KeyFilter, periods: PeriodRange) -> sql.Composed:
    filters = []
    for name, codes in key.as_filters().items():
        if codes:
            filters.append(
                sql.SQL("AND s.{} = ANY({})").format(sql.Identifier(name), sql.Literal(list(codes)))
            )
    if periods.start:
        filters.append(sql.SQL("AND o.period_start >= {}").format(sql.Literal(periods.start)))
    if periods.end:
        filters.append(sql.SQL("AND o.period_start <= {}").format(sql.Literal(periods.end)))
    select = sql.SQL(EXPORT).format(filters=sql.SQL(" ").join(filters))
    return sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(select)


def copy_chunks(statement: sql.Composed, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """COPY's output in chunks of about `chunk_bytes` (COPY hands over one row at a time)."""
    with connection.cursor() as cursor:
        buffer = bytearray()
        try:
            with cursor.cursor.copy(statement) as copy:
                for data in copy:
                    buffer += data
                    if len(buffer) >= chunk_bytes:
                        yield bytes(buffer)
                        buffer.clear()
        except GeneratorExit:
            # The client went away mid-export: the connection is in the middle of a COPY,
            # so it is not reused.
            connection.close()
            raise
        if buffer:
            yield bytes(buffer)


class BulkDataApi(ReadApi):
    renderer_classes = [CsvStreamRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("key", str, description="SDMX key, e.g. M.TH+VN..N.IX"),
            *[OpenApiParameter(name, str) for name in DIMENSIONS],
            OpenApiParameter("startPeriod", str),
            OpenApiParameter("endPeriod", str),
        ],
        responses={(200, "text/csv"): {"type": "string", "format": "binary"}},
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
        validator = Validator.of(
            *request_parts(request),
            version.count,
            version.last_modified,
            last_modified=version.last_modified,
        )
        if (fresh := self.revalidate(request, validator)) is not None:
            return fresh
        response = StreamingHttpResponse(
            copy_chunks(export_statement(key, periods)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
        return response
