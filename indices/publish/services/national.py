"""Apply an accepted submission to the national series store, set-based (one statement each).

merge: insert or replace the given observations; replace: the given series are replaced as a
whole over the period range the submission gives for each (per base year); delete: withdraw
the given observations. A series keeps one value per period and base year.

The rows are the submission's normalized frame (validate/rows.py `publication_rows`), COPYed in
PostgreSQL's binary format (national/copy_in.py): straight into the store when none of the
submission's series is stored yet (a first load), else into a temporary table that the upsert
and the deletes read. No staging table: COPYing the frame's 22 columns there as CSV, then
inserting from it, was most of a million-row release's store step.
"""

from __future__ import annotations

from uuid import UUID

import polars as pl
from django.db import connection

from indices.national.copy_in import binary_copy
from indices.receive.models import Submission

# The store's columns a submission gives, from the frame's (validate/frame.py) normalized ones
# and its raw REF_AREA, national code and comment (as the file gave them; never NULL).
GIVEN_COLUMNS = {
    "series_id": pl.col("series_id"),
    "freq": pl.col("freq_n"),
    "ref_area": pl.col("ref_area"),
    "activity": pl.col("activity_n"),
    "nat_code": pl.col("nat_code"),
    "adjustment": pl.col("adjustment_n"),
    "period_start": pl.col("period_start"),
    "period_label": pl.col("period_label"),
    "value": pl.col("value_n"),
    "status": pl.col("status_n"),
    "base_year": pl.col("base_year").cast(pl.Int16),
    "comment": pl.col("comment"),
    "row_no": pl.col("row_no").cast(pl.Int32),
}
# The frame's columns those are made of (publication reads no other).
FRAME_COLUMNS = tuple(
    sorted({name for column in GIVEN_COLUMNS.values() for name in column.meta.root_names()})
)
# The order of the store's primary key (agency, series_id, period_start, base_year): each index
# page is visited once, and a series' rows are written together.
INDEX_ORDER = ("series_id", "period_start", "base_year")

# The given rows, when some of their series are stored (types as the frame's, in binary COPY).
_GIVEN_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS national_given (
    series_id text, freq text, ref_area text, activity text, nat_code text, adjustment text,
    period_start date, period_label text, value float8, status text, base_year int2,
    comment text, row_no int4
) ON COMMIT DROP
"""
# No ORDER BY: the temporary table was filled in the index's order, and a scan of it (local
# to this session) returns its rows so.
_UPSERT = """
INSERT INTO indices_nationalobservation
    (agency_id, series_id, freq, ref_area, activity, nat_code, adjustment, period_start,
     period_label, value, status, base_year, comment, submission_id, row_no, updated_at)
SELECT %(agency)s, series_id, freq, ref_area, activity, nat_code, adjustment,
       period_start, period_label, value, status, base_year, comment, %(submission)s,
       row_no, now()
FROM national_given
ON CONFLICT (agency_id, series_id, period_start, base_year) DO UPDATE SET
    freq = EXCLUDED.freq, ref_area = EXCLUDED.ref_area, activity = EXCLUDED.activity,
    nat_code = EXCLUDED.nat_code, adjustment = EXCLUDED.adjustment,
    period_label = EXCLUDED.period_label, value = EXCLUDED.value, status = EXCLUDED.status,
    comment = EXCLUDED.comment,
    submission_id = EXCLUDED.submission_id, row_no = EXCLUDED.row_no,
    updated_at = EXCLUDED.updated_at
"""
# One index probe per series (LIMIT 1 in a lateral join), never a scan of the whole store.
_ANY_STORED = """
SELECT EXISTS (
    SELECT 1
    FROM unnest(%(series)s::text[]) AS given (series_id)
    CROSS JOIN LATERAL (
        SELECT 1 FROM indices_nationalobservation AS stored
        WHERE stored.agency_id = %(agency)s AND stored.series_id = given.series_id
        LIMIT 1) AS found
)
"""

# One probe of the primary key per agency.
_NOTHING_STORED = """
SELECT NOT EXISTS (
    SELECT 1 FROM indices_nationalobservation WHERE agency_id = ANY(%(agencies)s::text[])
)
"""

_DELETE_RANGES = """
DELETE FROM indices_nationalobservation AS stored
USING unnest(%(series)s::text[], %(base_years)s::int2[], %(firsts)s::date[], %(lasts)s::date[])
    AS given (series_id, base_year, first, last)
WHERE stored.agency_id = %(agency)s AND stored.series_id = given.series_id
  AND stored.base_year = given.base_year
  AND stored.period_start BETWEEN given.first AND given.last
"""

_DELETE_GIVEN = """
DELETE FROM indices_nationalobservation AS stored
USING national_given AS given
WHERE stored.agency_id = %(agency)s
  AND stored.series_id = given.series_id AND stored.base_year = given.base_year
  AND stored.period_start = given.period_start
"""


def national_store_apply(*, submission: Submission, rows: pl.DataFrame) -> int:
    """Apply the submission's action with its rows (its normalized frame); returns the number of
    observations written or removed."""
    given = rows.select(**GIVEN_COLUMNS).sort(INDEX_ORDER)
    params: dict[str, str | UUID | list] = {
        "agency": submission.agency_id,
        "submission": submission.pk,
    }
    with connection.cursor() as cursor:
        if submission.action == Submission.Action.DELETE:
            _given_load(cursor, given.select(INDEX_ORDER))
            # The delete joins it with the store: without statistics the planner might scan
            # the whole store rather than probe its index per given row.
            cursor.execute("ANALYZE national_given")
            cursor.execute(_DELETE_GIVEN, params)
            return cursor.rowcount
        removed = 0
        if submission.action == Submission.Action.REPLACE:
            cursor.execute(_DELETE_RANGES, {**params, **_ranges(given)})
            removed = cursor.rowcount
        series = given.get_column("series_id").unique().drop_nulls().sort().to_list()
        cursor.execute(_ANY_STORED, {**params, "series": series})
        (any_stored,) = cursor.fetchone()
        if any_stored:
            _given_load(cursor, given)
            cursor.execute(_UPSERT, params)
            return removed + cursor.rowcount
        return removed + _first_load(cursor, submission, given)


def nothing_stored(agencies: list[str]) -> bool:
    """Whether the store holds no value of these agencies (a country's first load)."""
    with connection.cursor() as cursor:
        cursor.execute(_NOTHING_STORED, {"agencies": agencies})
        (empty,) = cursor.fetchone()
    return empty


def stored_as_given(rows: pl.DataFrame, area: str, schema: dict) -> pl.DataFrame:
    """The values of `area` the store holds once a submission is applied to a store that held
    none of its country (a first load), read from the submission's frame: exactly its rows of
    the area, with the store's `schema` columns (as harmonization reads them). Read back
    from the store, a million of them took as long again as harmonizing them."""
    given = rows.filter(pl.col("ref_area") == area)
    return given.select(**{name: GIVEN_COLUMNS[name] for name in schema}).cast(schema)


def _first_load(cursor, submission: Submission, given: pl.DataFrame) -> int:
    """None of the given series is stored: nothing can conflict, so the rows are COPYed into
    the store itself, written once (no upsert's speculative insertion, no second table). The
    statement trigger checks their agency and submission as it does an INSERT's (migration
    0015); `updated_at` is the transaction's now(), as the upsert writes it."""
    cursor.execute("SELECT now()")
    (now,) = cursor.fetchone()
    rows = given.with_columns(
        agency_id=pl.lit(submission.agency_id, pl.String),
        submission_id=pl.lit(submission.pk.bytes, pl.Binary),
        updated_at=pl.lit(now, pl.Datetime("us", "UTC")),
    )
    _copy(cursor, "indices_nationalobservation", rows)
    return rows.height


def _given_load(cursor, given: pl.DataFrame) -> None:
    cursor.execute(_GIVEN_TABLE)
    cursor.execute("TRUNCATE national_given")
    _copy(cursor, "national_given", given)


def _copy(cursor, table: str, rows: pl.DataFrame) -> None:
    sql = f"COPY {table} ({', '.join(rows.columns)}) FROM STDIN (FORMAT binary)"
    with cursor.copy(sql) as copy:
        for part in binary_copy(rows):
            copy.write(part)


def _ranges(given: pl.DataFrame) -> dict[str, list]:
    """The period range a replace gives per series and base year."""
    ranges = (
        given.drop_nulls(["series_id", "base_year"])
        .group_by("series_id", "base_year")
        .agg(first=pl.col("period_start").min(), last=pl.col("period_start").max())
        .sort("series_id", "base_year")
    )
    return {
        "series": ranges.get_column("series_id").to_list(),
        "base_years": ranges.get_column("base_year").to_list(),
        "firsts": ranges.get_column("first").to_list(),
        "lasts": ranges.get_column("last").to_list(),
    }
