"""What every rule shares: its context, the registry, SQL fragments, and the one INSERT of
findings (capped per rule, with the uncapped total) that every rule goes through.

Rules are SQL over the staging table of one submission. Fragments below use the named
parameters of `base_params`; a literal percent sign in rule SQL is written `%%`.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection

from indices.standard import StandardDefinition


@dataclass(frozen=True)
class RuleContext:
    submission_id: uuid.UUID
    agency_id: str
    country_code: str
    standard: StandardDefinition
    now: datetime  # aware UTC; "today" for E05/E08/W07
    columns: dict[str, str]  # standard column -> column letter, for cell references
    is_spreadsheet: bool  # XLSX: findings carry sheet + cell; CSV/JSON: row + column only
    division_weights: dict[str, float]  # ISIC division -> national weight (W09)
    cap: int  # max findings stored per rule
    action: str = "merge"  # the submission's action: a delete names observations, no values
    # National code -> its concordance weight (W09 combines national codes sharing an ISIC code)
    national_weights: dict[str, float] = field(default_factory=dict)

    def severity(self, rule_id: str) -> str:
        return self.standard.rules[rule_id]["severity"]

    def threshold(self, rule_id: str, name: str) -> float:
        return self.standard.threshold(rule_id, name)

    @property
    def today(self) -> date:
        return self.now.date()


Rule = Callable[[RuleContext], int]
REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    """Register a rule; it runs inside `shared_tables`, its own or the runner's."""

    def register(function: Rule) -> Rule:
        @functools.wraps(function)
        def run(ctx: RuleContext) -> int:
            with shared_tables(ctx):
                return function(ctx)

        REGISTRY[rule_id] = run
        return run

    return register


def current_period_starts(now: datetime) -> tuple[date, date]:
    """First day of the current month and of the current quarter."""
    return date(now.year, now.month, 1), date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)


def base_params(ctx: RuleContext) -> dict[str, Any]:
    current_month, current_quarter = current_period_starts(ctx.now)
    return {
        "sid": ctx.submission_id,
        "agency": ctx.agency_id,
        "country": ctx.country_code,
        "missing": sorted(ctx.standard.missing_statuses),
        "missing_list": ", ".join(sorted(ctx.standard.missing_statuses)),
        "current_month": current_month,
        "current_quarter": current_quarter,
        "today": ctx.today,
    }


# Settings for the rules' statements: sorts of a million rows fit in memory, and JIT, which
# compiles each big statement anew (0.1-0.5 s apiece), does not pay for itself here.
RULE_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def session_settings() -> Iterator[None]:
    """RULE_SETTINGS for the statements inside, restored afterwards (transaction-local when in
    a transaction, so an error that rolls back restores them too)."""
    with connection.cursor() as cursor:
        names = list(RULE_SETTINGS)
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
        before = dict(zip(names, cursor.fetchone(), strict=True))
        local = not connection.get_autocommit()
        for name, value in RULE_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])
    yield
    # Not after an error: the rollback that follows restores transaction-local settings.
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])


# --- SQL fragments ---------------------------------------------------------------------------

ROWS = "indices_submissionrow r WHERE r.submission_id = %(sid)s"

# A row's series key for findings: the normalized one, else what the raw text spells.
SERIES_KEY = (
    "COALESCE(r.series_id, concat_ws('.', COALESCE(r.freq_n, NULLIF(r.freq, ''), 'M'), "
    "r.ref_area, COALESCE(NULLIF(r.activity, ''), 'NAT:' || NULLIF(r.nat_code, '')), "
    "COALESCE(r.adjustment_n, NULLIF(r.adjustment, ''), 'N')))"
)

# Step between two periods of a series, and a period's canonical label from its first day.
STEP = "(CASE {freq} WHEN 'Q' THEN interval '3 months' ELSE interval '1 month' END)"
LABEL = (
    "(CASE {freq} WHEN 'Q' THEN to_char({day}, 'YYYY-\"Q\"Q') ELSE to_char({day}, 'YYYY-MM') END)"
)


def step(freq: str = "r.freq_n") -> str:
    return STEP.format(freq=freq)


def label(day: str, freq: str = "r.freq_n") -> str:
    return LABEL.format(day=day, freq=freq)


# Rows the series rules may read: every normalized value valid, the period not in the future,
# the value an index level (or absent with a missing status), and the first of any duplicates.
VALID_CONDITION = """
      r.series_id IS NOT NULL AND r.period_start IS NOT NULL AND r.activity_n IS NOT NULL
      AND r.status_n IS NOT NULL AND r.base_year IS NOT NULL
      AND upper(r.ref_area) = %(country)s
      AND (r.activity = '') <> (r.nat_code = '')
      AND r.period_start <= CASE r.freq_n WHEN 'Q' THEN %(current_quarter)s::date
                                          ELSE %(current_month)s::date END
      AND ((r.value_n > 0 AND NOT r.status_n = ANY(%(missing)s))
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
        OR r.value_n IS NULL OR r.value_n <= 0
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
            sql, params = series_sql(with_history=cursor.fetchone()[0]), base_params(ctx)
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


_COLUMN_LETTER = re.compile(r"^[A-Z]{1,3}$")


def sheet_sql(ctx: RuleContext, alias: str = "r") -> str:
    return f"{alias}.sheet" if ctx.is_spreadsheet else "''"


def cell_sql(ctx: RuleContext, column: str, alias: str = "r") -> str:
    """XLSX: the cell of `column` on the row (OBS_VALUE: the cell the parser read); else ''."""
    if not ctx.is_spreadsheet:
        return "''"
    if column == "OBS_VALUE":
        return f"{alias}.value_cell"
    letter = ctx.columns.get(column, "")
    # Column letters are interpolated into SQL, so only real column letters are accepted.
    if not _COLUMN_LETTER.match(letter):
        return "''"
    return f"'{letter}' || {alias}.row_no"


def finding_sql(
    ctx: RuleContext,
    *,
    column: str,
    value: str,
    message: str,
    alias: str = "r",
    row: str | None = None,
    series_key: str | None = None,
    time_period: str | None = None,
) -> str:
    """The select list of one finding, in the order `insert_findings` reads it."""
    return (
        f'{row or alias + ".row_no"} AS "row", {sheet_sql(ctx, alias)} AS sheet, '
        f"{cell_sql(ctx, column, alias)} AS cell, '{column}' AS \"column\", "
        f"COALESCE(({value})::text, '') AS value, "
        f"COALESCE(({series_key or SERIES_KEY.replace('r.', alias + '.')})::text, '') "
        f"AS series_key, COALESCE(({time_period or alias + '.time_period'})::text, '') "
        f"AS time_period, ({message}) AS message"
    )


def value_finding_sql(ctx: RuleContext, message: str) -> str:
    """A finding on a row's OBS_VALUE, keyed by its national series and period: what every
    movement and consistency rule reports."""
    return finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )


INSERT_FINDINGS = """
WITH f AS MATERIALIZED ({select}),
ins AS (
    INSERT INTO indices_finding
        (submission_id, rule_id, severity, "row", sheet, cell, "column", value, series_key,
         time_period, message)
    SELECT %(sid)s, %(rule_id)s, %(severity)s, f."row", left(f.sheet, 100), left(f.cell, 16),
           f."column", f.value, left(f.series_key, 100), left(f.time_period, 16), f.message
    FROM f
    ORDER BY f."row" NULLS FIRST, f.series_key, f.time_period, f."column"
    LIMIT %(cap)s
    RETURNING 1
)
SELECT count(*) FROM f
"""


def insert_findings(
    ctx: RuleContext, rule_id: str, select: str, params: dict[str, Any] | None = None
) -> int:
    """Store at most ctx.cap findings of `select` for `rule_id`; return how many it found.

    `select` yields "row", sheet, cell, "column", value, series_key, time_period, message.
    One statement: the total is counted on the same snapshot the capped INSERT reads.
    """
    all_params = {
        **base_params(ctx),
        "rule_id": rule_id,
        "severity": ctx.severity(rule_id),
        "cap": ctx.cap,
        **(params or {}),
    }
    with connection.cursor() as cursor:
        cursor.execute(INSERT_FINDINGS.format(select=select), all_params)
        return cursor.fetchone()[0]
