"""Writing harmonized series as vintages, set-based: the new values go to a temporary table
with COPY, then one UPDATE closes what changed or disappeared and one INSERT opens what is new.
Nothing published is overwritten or deleted."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import polars as pl
from django.db import connection

from indices.national.copy_out import array_params
from indices.periods import period_label
from indices.publish.harmonization import HarmonizedSeries
from indices.publish.models import PublishedSeries, Release
from ipi_exchange.db_settings import settings_for_block

# Recomputing from the same inputs can differ in the last bits of a float; that is not a revision.
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class VintageChanges:
    series_keys: list[str]  # series with at least one value opened or closed
    opened: int
    withdrawn: int  # values closed with no successor (deletions)


# A current value is closed when the new one differs in anything published with it: the value
# (beyond float noise), the status, the coverage or the comment. A revision that only changes
# the agency's COMMENT is a new vintage like any other. Only values from the scope's `since` on
# are compared (a series recomputed over a window of recent periods: windowed.py).
#
# Each scoped series' current values are read by its own range of the current-value index (the
# lateral subquery, kept lateral by OFFSET 0), and the rows to close updated by their ctid. As a
# join of the scope with the store, the planner hashed every current value of the store (a
# bitmap scan of 760,000 rows on the 10M bench store) to close 360 of a monthly update's: 250 ms
# against 17 ms, and 580 ms against 420 ms where a country's series are recomputed in full.
_CLOSE = """
UPDATE indices_publishedobservation AS p SET valid_to = %(instant)s
FROM (
    SELECT c.ctid AS row_id
    FROM vintage_scope AS s
    CROSS JOIN LATERAL (
        SELECT o.ctid, o.series_no, o.period_start, o.value, o.status, o.coverage, o.comment
        FROM indices_publishedobservation AS o
        WHERE o.series_no = s.series_no AND o.valid_to IS NULL AND o.period_start >= s.since
        OFFSET 0) AS c
    WHERE NOT EXISTS (
        SELECT 1 FROM vintage_new AS n
        WHERE n.series_no = c.series_no AND n.period_start = c.period_start
          AND abs(n.value - c.value) <= %(tolerance)s * greatest(1.0, abs(c.value))
          AND n.status = c.status
          AND (n.coverage IS NULL) = (c.coverage IS NULL)
          AND coalesce(abs(n.coverage - c.coverage) <= %(tolerance)s * 100, true)
          AND n.comment = c.comment)
) AS gone
WHERE p.ctid = gone.row_id
RETURNING p.series_no, p.period_start
"""

_OPEN = """
INSERT INTO indices_publishedobservation
    (series_no, period_start, time_period, value, status, coverage, comment, release_id,
     valid_from, valid_to)
SELECT n.series_no, n.period_start, n.time_period, n.value, n.status, n.coverage, n.comment,
       %(release)s, %(instant)s, NULL
FROM vintage_new AS n
WHERE NOT EXISTS (
    SELECT 1 FROM indices_publishedobservation AS p
    WHERE p.series_no = n.series_no AND p.period_start = n.period_start
      AND p.valid_to IS NULL)
RETURNING series_no, period_start
"""


def vintages_write(
    *,
    series: list[HarmonizedSeries],
    scopes: list[tuple[str, str, str]],
    release: Release,
    instant: datetime,
    windows: dict[tuple[str, str, str], date] | None = None,
) -> VintageChanges:
    """Make `series` the current values of every series in `scopes` ((ref_area, activity,
    adjustment): all frequencies and transformations), as of `instant`.

    `windows`: scopes recomputed over a window only, with its first day: their values before
    it are left as they are (`series` holds none of them)."""
    windows = windows or {}
    new_keys = {s.key for s in series}
    scope_set = set(scopes)
    scoped = {
        key: number
        for key, number in PublishedSeries.objects.filter(
            ref_area__in={a for a, _, _ in scopes}, activity__in={b for _, b, _ in scopes}
        ).values_list("series_key", "number")
        if tuple(key.split(".")[1:4]) in scope_set
    }
    first_values = not scoped and not _any_current(new_keys)
    attributes = {item.key: json.dumps(item.attributes) for item in series}
    numbers, created = _series_stored(series, attributes, instant)
    if first_values:
        return _first_values_write(
            series, numbers, attributes, created, release=release, instant=instant
        )
    numbers.update(scoped)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS vintage_new (series_no integer, period_start date,"
            " time_period text, value float8, status text, coverage float8, comment text NOT NULL)"
            " ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS vintage_scope (series_no integer PRIMARY KEY,"
            " since date NOT NULL) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE vintage_new, vintage_scope")
        with cursor.copy("COPY vintage_new FROM STDIN") as copy:
            for item in series:
                copy.write(_copy_lines(item, numbers[item.key]))
        with cursor.copy("COPY vintage_scope FROM STDIN") as copy:
            for key in new_keys | scoped.keys():
                copy.write_row((numbers[key], windows.get(_scope(key), date.min)))
        cursor.execute("ANALYZE vintage_new")
        params: dict[str, datetime | int | float] = {
            "instant": instant,
            "release": release.pk,
            "tolerance": RELATIVE_TOLERANCE,
        }
        # The planner's row count of the published table lags this transaction's own writes
        # (autovacuum counts after commits): trusting a count of 0, it planned the current-value
        # checks below as a scan of the whole table per new value, minutes for 20,000 values.
        # They go through the current-value index instead, whatever the count.
        with settings_for_block(cursor, {"enable_seqscan": "off"}):
            cursor.execute(_CLOSE, params)
            closed = set(cursor.fetchall())
            cursor.execute(_OPEN, params)
            opened = set(cursor.fetchall())
    key_of = {number: key for key, number in numbers.items()}
    changed_keys = sorted({key_of[number] for number, _ in closed | opened})
    _series_changed(changed_keys, created, attributes, instant)
    return VintageChanges(
        series_keys=changed_keys, opened=len(opened), withdrawn=len(closed - opened)
    )


def _any_current(keys: set[str]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM indices_publishedseries AS s"
            " JOIN indices_publishedobservation AS o ON o.series_no = s.number"
            " WHERE s.series_key = ANY(%s) AND o.valid_to IS NULL)",
            [sorted(keys)],
        )
        (found,) = cursor.fetchone()
    return found


def _first_values_write(
    series: list[HarmonizedSeries],
    numbers: dict[str, int],
    attributes: dict[str, str],
    created: set[str],
    *,
    release: Release,
    instant: datetime,
) -> VintageChanges:
    """No series of the scopes is published yet (a member's first load): every value is new and
    nothing is closed, so the values are COPYed straight into the published store, without the
    temporary table and the statements that compare with what is current."""
    opened = sum(len(item.points) for item in series)
    suffix = f"\t{release.pk}\t{instant.isoformat()}\n"
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY indices_publishedobservation (series_no, period_start, time_period, value,"
            " status, coverage, comment, release_id, valid_from) FROM STDIN"
        ) as copy,
    ):
        for item in series:
            copy.write(_copy_lines(item, numbers[item.key], suffix))
    changed_keys = sorted({item.key for item in series if item.points})
    _series_changed(changed_keys, created, attributes, instant)
    return VintageChanges(series_keys=changed_keys, opened=opened, withdrawn=0)


def _scope(key: str) -> tuple[str, str, str]:
    _, area, activity, adjustment, _ = key.split(".")
    return area, activity, adjustment


def _copy_lines(item: HarmonizedSeries, number: int, end: str = "\n") -> bytes:
    """A series' points as lines of COPY text, as the driver's write_row writes them (a float's
    repr, NULL as \\N, a comment's tab, newline, return and backslash escaped) without its
    dispatch per value: a release writes a quarter of a million of them per member. `number`:
    the series' (PublishedSeries.number); `end`: what follows each line's comment (more
    columns, then the newline).

    A period's two columns come as one text, made once per period, and a comment is escaped
    only where there is one: a group's 500-month series took 390 us so, against 660 us with
    the date, its label and the escaping each called per point."""
    periods = _period_columns(item.freq)
    lines = [
        f"{number}\t{periods(period)}{float(value)!r}\t{status}\t"
        f"{NULL if coverage is None else repr(float(coverage))}\t"
        f"{comment.translate(_ESCAPES) if comment else comment}{end}"
        for period, value, status, coverage, comment in item.points
    ]
    return "".join(lines).encode()


NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@cache
def _period_columns(freq: str) -> Callable[[date], str]:
    """period_start and time_period as COPY text, each followed by its tab, of a period."""

    @cache
    def columns(period: date) -> str:
        return f"{period.isoformat()}\t{period_label(freq, period)}\t"

    return columns


# Each series of a release: created if new (numbered by the database), else its attributes and
# last update set where its attributes changed. One statement over arrays, before the values
# are written, since they carry the number. Only the new keys are inserted: an INSERT ... ON
# CONFLICT would draw a number from the sequence for every row it proposes. jsonb compares the
# attributes as decoded dicts would: keys in any order, 80 equal to 80.0.
_SERIES_STORE = """
WITH u AS (
    SELECT * FROM unnest(
        %(keys)s::text[], %(freqs)s::text[], %(areas)s::text[], %(activities)s::text[],
        %(adjustments)s::text[], %(transformations)s::text[], %(attributes)s::text[])
    AS u(series_key, freq, ref_area, activity, adjustment, transformation, attributes)
), updated AS (
    UPDATE indices_publishedseries AS s
    SET attributes = u.attributes::jsonb, last_updated_at = %(instant)s
    FROM u
    WHERE s.series_key = u.series_key AND s.attributes <> u.attributes::jsonb
)
INSERT INTO indices_publishedseries
    (series_key, freq, ref_area, activity, adjustment, transformation, attributes,
     first_published_at, last_updated_at)
SELECT u.series_key, u.freq, u.ref_area, u.activity, u.adjustment, u.transformation,
       u.attributes::jsonb, %(instant)s, %(instant)s
FROM u
WHERE NOT EXISTS (SELECT 1 FROM indices_publishedseries AS s WHERE s.series_key = u.series_key)
ON CONFLICT (series_key) DO NOTHING
RETURNING series_key
"""
_NUMBERS = """
SELECT series_key, number FROM indices_publishedseries WHERE series_key = ANY(%(keys)s::text[])
"""
# Series whose values changed: their last update is this instant, and their attributes the
# release's as it wrote them (a series that lost every value keeps its own). Those the release
# created have both already: a first load's 3,000 series took 110 ms to update again.
_CHANGED = """
UPDATE indices_publishedseries AS s
SET last_updated_at = %(instant)s, attributes = coalesce(u.attributes::jsonb, s.attributes)
FROM unnest(%(keys)s::text[], %(attributes)s::text[]) AS u(series_key, attributes)
WHERE s.series_key = u.series_key
"""


def _series_stored(
    series: list[HarmonizedSeries], attributes: dict[str, str], instant: datetime
) -> tuple[dict[str, int], set[str]]:
    """Each series of `series` stored (created, or its attributes updated): their numbers, and
    the keys of those created. `attributes`: each series' as JSON, by key."""
    if not series:
        return {}, set()
    columns = {
        "keys": [item.key for item in series],
        "freqs": [item.freq for item in series],
        "areas": [item.ref_area for item in series],
        "activities": [item.activity for item in series],
        "adjustments": [item.adjustment for item in series],
        "transformations": [item.transformation for item in series],
        "attributes": [attributes[item.key] for item in series],
    }
    # Each array as one text: the driver binds parameters into the statement's text, a list
    # element by element (2.5 us a text; these arrays took 60 ms).
    arrays = {name: pl.Series(values, dtype=pl.String) for name, values in columns.items()}
    with connection.cursor() as cursor:
        cursor.execute(_SERIES_STORE, array_params({**arrays, "instant": instant}))
        created = {key for (key,) in cursor.fetchall()}
        cursor.execute(_NUMBERS, array_params({"keys": arrays["keys"]}))
        return dict(cursor.fetchall()), created


def _series_changed(
    changed: list[str], created: set[str], attributes: dict[str, str], instant: datetime
) -> None:
    """The series whose values changed marked so (`_CHANGED`), but for those the release
    `created`."""
    keys = [key for key in changed if key not in created]
    if keys:
        params = {
            "keys": pl.Series(keys, dtype=pl.String),
            "attributes": pl.Series([attributes.get(key) for key in keys], dtype=pl.String),
            "instant": instant,
        }
        with connection.cursor() as cursor:
            cursor.execute(_CHANGED, array_params(params))
