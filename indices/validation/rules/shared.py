"""Tables several rules share, each built once per run as a temporary table.

Several rules read the same derived sets: building each once, instead of once per rule, saves a
pass over the staged rows per rule (over a million rows every pass, a scan, a sort or a window,
costs 0.3-1 s). Fragments use the named parameters of `base_params`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from indices.validation.rules.context import RuleContext, base_params

# Rows the series rules may read: every normalized value valid (the base year within E08's
# range, so a bad BASE_PER is E08's finding alone, not also W08's), the period not in the future,
# the value an index level (or absent with a missing status), and the first of any duplicates.
VALID_CONDITION = """
      r.series_id IS NOT NULL AND r.period_start IS NOT NULL AND r.activity_n IS NOT NULL
      AND r.status_n IS NOT NULL AND r.base_year BETWEEN %(min_year)s AND %(max_year)s
      AND upper(r.ref_area) = %(country)s
      AND (r.activity = '') <> (r.nat_code = '')
      AND r.period_start <= CASE r.freq_n WHEN 'Q' THEN %(current_quarter)s::date
                                          ELSE %(current_month)s::date END
      AND ((r.value_n BETWEEN %(min_value)s AND %(max_value)s
            AND NOT r.status_n = ANY(%(missing)s))
           OR (r.obs_value = '' AND r.status_n = ANY(%(missing)s)))
"""

# --- Tables shared by the rules of one run ----------------------------------------------------
#
# Several rules read the same derived sets. Each is built once per run as a temporary table, in
# as few passes as possible, instead of once per rule: over a million rows every pass (a scan,
# a sort, a window) costs 0.3-1 s. Series ids are sorted byte-wise (COLLATE "C"), much faster
# than under a locale's rules.
#
# `SERIES` (ipi_series): the submission's valid rows (VALID_CONDITION, the first row of each
# series and period), `submitted`, over the agency's stored history of the same series from
# LOOKBACK_MONTHS before the series' first submitted period (the submission wins for a period
# it carries, its value or its missing status). Each row has
#   v: the value (value_n, or the stored value);
#   pv / py: the value of the period just before / of the same period a year before;
#   pct / pct_year: the % change on pv / py (NULL unless v and pv / py are > 0);
#   flat / next_flat: v equals the value of the period just before / just after;
#   mi: the month number, year * 12 + month - 1;
#   first_sub: the series' first submitted period (only where the history is read).
SERIES = "ipi_series"

# How far back the stored history is read before a series' first submitted period: W01 needs
# `history_years` (10) of same-month changes, each on its previous month.
LOOKBACK_MONTHS = 10 * 12 + 3

MONTH_NUMBER = "(date_part('year', {d})::int * 12 + date_part('month', {d})::int - 1)"


def series_sql(with_history: bool, lookback_months: int = LOOKBACK_MONTHS) -> str:
    months = "(CASE m.freq_n WHEN 'Q' THEN 3 ELSE 1 END)"
    sub = f"""
    SELECT DISTINCT ON (r.series_id COLLATE "C", {MONTH_NUMBER.format(d="r.period_start")})
        r.row_no, r.sheet, r.value_cell, r.series_id COLLATE "C" AS series_id, r.freq_n,
        r.adjustment_n, r.activity_n, r.activity, r.nat_code, r.period_start, r.period_label,
        r.obs_value, r.value_n, r.base_year, r.base_per, r.time_period, r.ref_area,
        r.value_n AS v, TRUE AS submitted, {MONTH_NUMBER.format(d="r.period_start")} AS mi
    FROM indices_submissionrow r
    WHERE r.submission_id = %(sid)s AND {VALID_CONDITION}
    ORDER BY r.series_id COLLATE "C", {MONTH_NUMBER.format(d="r.period_start")}, r.row_no"""
    if with_history:
        merged = f"""
    WITH sub AS MATERIALIZED ({sub}),
    s0 AS (
        SELECT s.series_id, min(s.period_start) AS first, min(s.activity_n) AS activity_n
        FROM sub s GROUP BY s.series_id
    ),
    merged AS (
        SELECT s.*, s0.first AS first_sub FROM sub s JOIN s0 ON s0.series_id = s.series_id
        UNION ALL
        SELECT NULL, '', '', o.series_id COLLATE "C", o.freq, o.adjustment, s0.activity_n, '',
               o.nat_code, o.period_start, o.period_label, '', o.value, o.base_year, '', '',
               o.ref_area, o.value, FALSE, {MONTH_NUMBER.format(d="o.period_start")}, s0.first
        FROM (
            -- After a base change the store holds both bases where they overlap: the
            -- history of a period is its newest base's value.
            SELECT DISTINCT ON (n.series_id, n.period_start) n.*
            FROM indices_nationalobservation n
            JOIN s0 ON n.series_id = (s0.series_id COLLATE "default")
             AND n.period_start >= s0.first - interval '{int(lookback_months)} months'
            WHERE n.agency_id = %(agency)s
            ORDER BY n.series_id, n.period_start, n.base_year DESC
        ) o
        JOIN s0 ON o.series_id = (s0.series_id COLLATE "default")
        WHERE NOT EXISTS (SELECT 1 FROM sub s
                          WHERE s.series_id = o.series_id COLLATE "C"
                            AND s.period_start = o.period_start)
    )"""
    else:
        merged = f"WITH merged AS (SELECT s.*, NULL::date AS first_sub FROM ({sub}) s)"
    # One window for all: lag and lead ignore the frame, which is the period a year before.
    # Ordered by the month number, not the date: an integer frame is several times faster.
    return f"""{merged},
    w AS (
        SELECT m.*,
               CASE WHEN lag(m.mi) OVER w = m.mi - {months} THEN lag(m.v) OVER w END AS pv,
               CASE WHEN lead(m.mi) OVER w = m.mi + {months} THEN lead(m.v) OVER w END AS nv,
               first_value(m.v) OVER w AS py
        FROM merged m
        WINDOW w AS (PARTITION BY m.series_id ORDER BY m.mi
                     RANGE BETWEEN 12 PRECEDING AND 12 PRECEDING)
    )
    SELECT w.*,
           CASE WHEN w.v IS NOT NULL AND w.pv > 0 THEN 100 * (w.v / w.pv - 1) END AS pct,
           CASE WHEN w.v IS NOT NULL AND w.py > 0 THEN 100 * (w.v / w.py - 1) END AS pct_year,
           COALESCE(w.v = w.pv, FALSE) AS flat, COALESCE(w.v = w.nv, FALSE) AS next_flat
    FROM w"""


def submitted_rows(ctx: RuleContext) -> str:
    """The valid rows (one per series and period) as a subquery, e.g. `FROM {...} r`."""
    return f"(SELECT * FROM {shared(ctx, SERIES)} WHERE submitted)"


# `STATS` (ipi_stats): one row per series named by any staged row: how many rows give a
# period, how many distinct periods, the first and last, and the smallest and largest base
# year in range (E08's `min_year` and `max_year`), and whether rows give its ISIC code directly
# or through a national code. Grouped byte-wise (COLLATE "C"): the sort is twice as fast.
# Duplicates (E07), gaps (W05) and mixed base years (E08) are looked for in detail only in the
# series these numbers single out.
STATS = "ipi_stats"
_KEYED = (
    "r.period_start IS NOT NULL AND r.activity_n IS NOT NULL"
    " AND (r.activity = '') <> (r.nat_code = '')"
)
STATS_SQL = f"""
    SELECT r.series_id COLLATE "C" AS series_id, min(r.freq_n) AS freq_n,
           count(r.period_start) AS n_rows,
           count(DISTINCT r.period_start) AS n_periods,
           min(r.period_start) AS first, max(r.period_start) AS last,
           min(r.base_year) FILTER (WHERE r.base_year BETWEEN %(min_year)s AND %(max_year)s)
               AS min_base, max(r.base_year)
               FILTER (WHERE r.base_year BETWEEN %(min_year)s AND %(max_year)s) AS max_base,
           min(r.adjustment_n) AS adjustment_n, min(upper(r.ref_area)) AS area,
           min(r.activity_n) FILTER (WHERE {_KEYED}) AS activity_n,
           COALESCE(bool_or(r.nat_code = '') FILTER (WHERE {_KEYED}), FALSE) AS any_direct,
           COALESCE(bool_or(r.nat_code <> '') FILTER (WHERE {_KEYED}), FALSE) AS any_nat
    FROM indices_submissionrow r
    WHERE r.submission_id = %(sid)s AND r.series_id IS NOT NULL
    GROUP BY 1
"""


# `ISSUES` (ipi_row_issues): the staged rows that may break a row rule (E02-E06, E08's year), in
# one scan with cheap conditions, each a superset of its rule's. The row rules then apply their
# exact conditions to these few rows instead of scanning all the staged rows once per rule.
ISSUES = "ipi_row_issues"
ISSUES_SQL = """
    SELECT r.* FROM indices_submissionrow r
    WHERE r.submission_id = %(sid)s AND (
        (r.activity = '') = (r.nat_code = '')
        OR r.activity_n IS NULL OR (r.activity <> '' AND r.activity <> r.activity_n)
        OR r.adjustment_n IS NULL OR r.freq_n IS NULL
        OR r.status_n IS NULL OR r.status_n = ANY(%(missing)s)
        OR r.value_n IS NULL OR r.value_n NOT BETWEEN %(min_value)s AND %(max_value)s
        OR (r.ref_area <> %(country)s AND upper(r.ref_area) <> %(country)s)
        OR r.period_start IS NULL OR r.period_start > %(current_quarter)s::date
        OR r.base_year IS NULL OR r.base_year NOT BETWEEN %(min_year)s AND %(max_year)s)
"""


def stats_series(ctx: RuleContext, condition: str) -> list[str]:
    """The series of ipi_stats (alias t) meeting `condition`: a short list, passed on to the
    detailed query as an array so that no plan can loop over the staged rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.series_id FROM {shared(ctx, STATS)} t WHERE {condition}")
        return [series_id for (series_id,) in cursor.fetchall()]


def stats_params(ctx: RuleContext) -> dict[str, Any]:
    return {"min_year": int(ctx.threshold("E08", "min_base_year")), "max_year": ctx.now.year}


_scope: dict[str, Any] = {}


@contextmanager
def shared_tables(ctx: RuleContext) -> Iterator[None]:
    """Within: `shared(ctx, name)` builds each shared table once, and all are dropped on exit.

    Reentrant: a rule opens one for itself, and inside the runner's it reuses the runner's.
    """
    if _scope.get("sid") == ctx.submission_id:
        yield
        return
    outer = dict(_scope)
    _scope.clear()
    _scope.update(sid=ctx.submission_id, built=[])
    try:
        yield
    finally:
        built = _scope["built"]
        _scope.clear()
        _scope.update(outer)
    # Not after an error: a rollback drops them (and a later build replaces them).
    if built:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in built))


def shared(ctx: RuleContext, name: str) -> str:
    """The name of shared table `name`, built for ctx's submission unless it is already."""
    if _scope.get("sid") != ctx.submission_id:
        raise RuntimeError("shared tables are built inside shared_tables(ctx)")
    if name in _scope["built"]:
        return name
    with connection.cursor() as cursor:
        if name == SERIES:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM indices_nationalobservation WHERE agency_id = %s)",
                [ctx.agency_id],
            )
            sql = series_sql(with_history=cursor.fetchone()[0])
            params = {**base_params(ctx), **stats_params(ctx)}
        elif name == STATS:
            sql, params = STATS_SQL, {**base_params(ctx), **stats_params(ctx)}
        elif name == ISSUES:
            sql, params = ISSUES_SQL, {**base_params(ctx), **stats_params(ctx)}
        else:
            raise ValueError(name)
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
        # Statistics for the plans of the rules that read it (a fresh table has none).
        cursor.execute(f"ANALYZE {name}")
    _scope["built"].append(name)
    return name
