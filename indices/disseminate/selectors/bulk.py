"""The bulk export: current values of published series as CSV, straight from PostgreSQL's
`COPY (SELECT ...) TO STDOUT`, in constant memory however large; values rounded as published."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connections, router
from psycopg import sql

from indices.disseminate.keys import KeyFilter
from indices.disseminate.query import PeriodRange
from indices.publish.models import PublishedObservation

CHUNK_BYTES = 256 * 1024

EXPORT = """
SELECT s.series_key AS "KEY", s.freq AS "FREQ", s.ref_area AS "REF_AREA",
       s.activity AS "ACTIVITY", s.adjustment AS "ADJUSTMENT",
       s.transformation AS "TRANSFORMATION", o.time_period AS "TIME_PERIOD",
       round(o.value::numeric, coalesce((s.attributes->>'DECIMALS')::int,
             CASE WHEN s.transformation = 'IX' THEN 2 ELSE 1 END)) AS "OBS_VALUE",
       o.status AS "OBS_STATUS",
       -- NULL, not '': COPY writes '' as "" and NULL as nothing, as the data CSV does.
       nullif(o.comment, '') AS "COMMENT"
FROM indices_publishedobservation AS o
JOIN indices_publishedseries AS s ON s.number = o.series_no
WHERE o.valid_to IS NULL {filters}
ORDER BY s.series_key, o.period_start
"""


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
    """COPY's output in chunks of about `chunk_bytes` (COPY hands over one row at a time), from
    the database the published rows are read from (a replica, when one answers the request)."""
    connection = connections[router.db_for_read(PublishedObservation)]
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
