"""Apply an accepted submission to the national series store, set-based (one statement each).

merge: insert or replace the given observations; replace: the given series are replaced as a
whole over the period range the submission gives for each (per base year); delete: withdraw
the given observations. A series keeps one value per period and base year.

The rows are the submission's normalized frame (validate/rows.py `publication_rows`), COPYed in
PostgreSQL's binary format (national/copy_in.py): straight into the store when none of the
submission's series is stored yet (a first load), else into a temporary table that the upsert
and the deletes read. No staging table: COPYing the frame's 22 columns there as CSV, then
inserting from it, was most of a million-row release's store step. Each series is stored once
(national/models.py NationalSeries), added on its first submission; a value carries its number.
"""

from __future__ import annotations

from uuid import UUID

import polars as pl
from django.db import connection

from indices.national.copy_in import binary_copy
from indices.national.copy_out import array_params
from indices.receive.models import Submission

# What a submission gives, from the frame's (validate/frame.py) normalized columns, its
# REF_AREA in capitals (as in the series id) and its raw national code and comment (as the file
# gave them; never NULL): its series...
SERIES_COLUMNS = {
    "series_id": pl.col("series_id"),
    "freq": pl.col("freq_n"),
    "ref_area": pl.col("ref_area").str.to_uppercase(),
    "nat_code": pl.col("nat_code"),
    "adjustment": pl.col("adjustment_n"),
}
# ... and the store's columns of each value.
OBSERVATION_COLUMNS = {
    "series_id": pl.col("series_id"),
    "activity": pl.col("activity_n"),
    "period_start": pl.col("period_start"),
    "value": pl.col("value_n"),
    "status": pl.col("status_n"),
    "base_year": pl.col("base_year").cast(pl.Int16),
    "comment": pl.col("comment"),
    "row_no": pl.col("row_no").cast(pl.Int32),
}
GIVEN_COLUMNS = {**SERIES_COLUMNS, **OBSERVATION_COLUMNS}
# The frame's columns those are made of (publication reads no other).
FRAME_COLUMNS = tuple(
    sorted({name for column in GIVEN_COLUMNS.values() for name in column.meta.root_names()})
)
# The order of the store's primary key (series_no, period_start, base_year): each index page
# is visited once, and a series' rows are written together.
INDEX_ORDER = ("series_no", "period_start", "base_year")

# A submission's series: those not stored yet are added, numbered in key order.
_SERIES_ADD = """
INSERT INTO indices_nationalseries (agency_id, series_id, freq, ref_area, nat_code, adjustment)
SELECT %(agency)s, given.*
FROM unnest(%(series)s::text[], %(freqs)s::text[], %(areas)s::text[], %(nat_codes)s::text[],
            %(adjustments)s::text[])
    AS given (series_id, freq, ref_area, nat_code, adjustment)
ORDER BY given.series_id
ON CONFLICT (agency_id, series_id) DO NOTHING
RETURNING id
"""
_SERIES_NUMBERS = """
SELECT series_id, id FROM indices_nationalseries
WHERE agency_id = %(agency)s AND series_id = ANY(%(series)s::text[])
"""
# The given rows, when some of their series are stored (types as the frame's, in binary COPY).
_GIVEN_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS national_given (
    series_no int4, activity text, period_start date, value float8, status text,
    base_year int2, comment text, row_no int4
) ON COMMIT DROP
"""
# No ORDER BY: the temporary table was filled in the index's order, and a scan of it (local
# to this session) returns its rows so.
_UPSERT = """
INSERT INTO indices_nationalobservation
    (value, submission_id, series_no, period_start, row_no, base_year, status, activity,
     comment)
SELECT value, %(submission)s, series_no, period_start, row_no, base_year, status, activity,
       comment
FROM national_given
ON CONFLICT (series_no, period_start, base_year) DO UPDATE SET
    value = EXCLUDED.value, submission_id = EXCLUDED.submission_id, row_no = EXCLUDED.row_no,
    status = EXCLUDED.status, activity = EXCLUDED.activity, comment = EXCLUDED.comment
"""
# One index probe per series (LIMIT 1 in a lateral join), never a scan of the whole store.
_ANY_STORED = """
SELECT EXISTS (
    SELECT 1
    FROM unnest(%(numbers)s::int4[]) AS given (series_no)
    CROSS JOIN LATERAL (
        SELECT 1 FROM indices_nationalobservation AS stored
        WHERE stored.series_no = given.series_no
        LIMIT 1) AS found
)
"""

# One probe of the primary key per series of the agencies, until one has a value.
_NOTHING_STORED = """
SELECT NOT EXISTS (
    SELECT 1
    FROM indices_nationalseries AS series
    CROSS JOIN LATERAL (
        SELECT 1 FROM indices_nationalobservation AS stored
        WHERE stored.series_no = series.id
        LIMIT 1) AS found
    WHERE series.agency_id = ANY(%(agencies)s::text[])
)
"""

_DELETE_RANGES = """
DELETE FROM indices_nationalobservation AS stored
USING unnest(%(numbers)s::int4[], %(base_years)s::int2[], %(firsts)s::date[], %(lasts)s::date[])
    AS given (series_no, base_year, first, last)
WHERE stored.series_no = given.series_no AND stored.base_year = given.base_year
  AND stored.period_start BETWEEN given.first AND given.last
"""

_DELETE_GIVEN = """
DELETE FROM indices_nationalobservation AS stored
USING national_given AS given
WHERE stored.series_no = given.series_no AND stored.base_year = given.base_year
  AND stored.period_start = given.period_start
"""


def national_store_apply(*, submission: Submission, rows: pl.DataFrame) -> int:
    """Apply the submission's action with its rows (its normalized frame); returns the number of
    observations written or removed."""
    params: dict[str, str | UUID | list] = {
        "agency": submission.agency_id,
        "submission": submission.pk,
    }
    with connection.cursor() as cursor:
        if submission.action == Submission.Action.DELETE:
            # A series never stored has nothing to withdraw: its rows fall out of the join.
            numbers = _series_numbers(cursor, submission.agency_id, rows, add=False)
            _given_load(cursor, _numbered(rows, numbers).select(INDEX_ORDER))
            # The delete joins it with the store: without statistics the planner might scan
            # the whole store rather than probe its index per given row.
            cursor.execute("ANALYZE national_given")
            cursor.execute(_DELETE_GIVEN, params)
            return cursor.rowcount
        numbers = _series_numbers(cursor, submission.agency_id, rows, add=True)
        given = _numbered(rows, numbers)
        removed = 0
        if submission.action == Submission.Action.REPLACE:
            cursor.execute(_DELETE_RANGES, array_params({**params, **_ranges(given)}))
            removed = cursor.rowcount
        # Series added just now hold no value; one of those before might.
        before = numbers.filter(~pl.col("added")).get_column("series_no")
        cursor.execute(_ANY_STORED, array_params({"numbers": before}))
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
    given = rows.filter(GIVEN_COLUMNS["ref_area"] == area)
    return given.select(**{name: GIVEN_COLUMNS[name] for name in schema}).cast(schema)


def _series_numbers(cursor, agency: str, rows: pl.DataFrame, *, add: bool) -> pl.DataFrame:
    """The numbers of the rows' series (series_id, series_no, and whether it was `added` just
    now); with `add`, the series not stored yet are added. One statement when all are stored
    (a monthly update), three when some are not."""
    series = (
        # Each series' first row (picked before its columns are made: a unique over the
        # million rows of a first load, every column of it, took 0.12 s)
        rows.filter(pl.col("series_id").is_first_distinct())
        .select(**SERIES_COLUMNS)
        .drop_nulls("series_id")
        .sort("series_id")
    )
    params = array_params({"agency": agency, "series": series.get_column("series_id")})
    cursor.execute(_SERIES_NUMBERS, params)
    found = cursor.fetchall()
    added: set[int] = set()
    if add and len(found) < series.height:
        # Only the missing ones: an insertion that conflicts costs as much as one that adds.
        new = series.filter(~pl.col("series_id").is_in([key for key, _ in found]))
        cursor.execute(
            _SERIES_ADD,
            array_params(
                {
                    "agency": agency,
                    "series": new.get_column("series_id"),
                    "freqs": new.get_column("freq"),
                    "areas": new.get_column("ref_area"),
                    "nat_codes": new.get_column("nat_code"),
                    "adjustments": new.get_column("adjustment"),
                }
            ),
        )
        added = {number for (number,) in cursor.fetchall()}
        cursor.execute(_SERIES_NUMBERS, params)
        found = cursor.fetchall()
    return pl.DataFrame(
        {
            "series_id": [key for key, _ in found],
            "series_no": [number for _, number in found],
            "added": [number in added for _, number in found],
        },
        schema={"series_id": pl.String, "series_no": pl.Int32, "added": pl.Boolean},
    )


def _numbered(rows: pl.DataFrame, numbers: pl.DataFrame) -> pl.DataFrame:
    """The rows' store columns, each row's series by its number, in the index's order."""
    return (
        rows.select(**OBSERVATION_COLUMNS)
        .join(numbers.select("series_id", "series_no"), on="series_id")
        .drop("series_id")
        .sort(INDEX_ORDER)
        .select("series_no", pl.exclude("series_no"))
    )


def _first_load(cursor, submission: Submission, given: pl.DataFrame) -> int:
    """None of the given series is stored: nothing can conflict, so the rows are COPYed into
    the store itself, written once (no upsert's speculative insertion, no second table). The
    statement trigger checks their series and submission as it does an INSERT's (migrations
    0015, 0020)."""
    rows = given.with_columns(submission_id=pl.lit(submission.pk.bytes, pl.Binary))
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


def _ranges(given: pl.DataFrame) -> dict[str, pl.Series]:
    """The period range a replace gives per series and base year."""
    ranges = (
        given.drop_nulls("base_year")
        .group_by("series_no", "base_year")
        .agg(first=pl.col("period_start").min(), last=pl.col("period_start").max())
        .sort("series_no", "base_year")
    )
    return {
        "numbers": ranges.get_column("series_no"),
        "base_years": ranges.get_column("base_year"),
        "firsts": ranges.get_column("first"),
        "lasts": ranges.get_column("last"),
    }
