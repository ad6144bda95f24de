"""What every rule shares: its context, the registry, SQL fragments, and the one INSERT of
findings (capped per rule, with the uncapped total) that every rule goes through.

Rules are SQL over the staging table of one submission. Fragments below use the named
parameters of `base_params`; a literal percent sign in rule SQL is written `%%`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
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
    def register(function: Rule) -> Rule:
        REGISTRY[rule_id] = function
        return function

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
VALID_ROWS = """
    SELECT DISTINCT ON (r.series_id, r.period_start)
        r.row_no, r.sheet, r.value_cell, r.series_id, r.freq_n, r.adjustment_n, r.activity_n,
        r.activity, r.nat_code, r.period_start, r.period_label, r.obs_value, r.value_n,
        r.status_n, r.base_year, r.base_per, r.time_period, r.ref_area
    FROM indices_submissionrow r
    WHERE r.submission_id = %(sid)s
      AND r.series_id IS NOT NULL AND r.period_start IS NOT NULL AND r.activity_n IS NOT NULL
      AND r.status_n IS NOT NULL AND r.base_year IS NOT NULL
      AND upper(r.ref_area) = %(country)s
      AND (r.activity = '') <> (r.nat_code = '')
      AND r.period_start <= CASE r.freq_n WHEN 'Q' THEN %(current_quarter)s::date
                                          ELSE %(current_month)s::date END
      AND ((r.value_n > 0 AND NOT r.status_n = ANY(%(missing)s))
           OR (r.obs_value = '' AND r.status_n = ANY(%(missing)s)))
    ORDER BY r.series_id, r.period_start, r.row_no
"""


def merged_sql(lookback_months: int) -> str:
    """The submission's valid rows over the agency's stored history of the same series.

    The submission wins for a period it carries (its value, or its missing status); history is
    read back `lookback_months` before the earliest submitted period. Columns: series_id,
    freq_n, adjustment_n, activity_n, period_start, period_label, v, submitted, row_no, sheet,
    value_cell, obs_value.
    """
    return f"""
    sub AS MATERIALIZED ({VALID_ROWS}),
    merged AS MATERIALIZED (
        SELECT s.series_id, s.freq_n, s.adjustment_n, s.activity_n, s.period_start,
               s.period_label, s.value_n AS v, TRUE AS submitted, s.row_no, s.sheet,
               s.value_cell, s.obs_value
        FROM sub s
        UNION ALL
        SELECT o.series_id, o.freq, o.adjustment, s0.activity_n, o.period_start, o.period_label,
               o.value, FALSE, NULL, '', '', ''
        FROM indices_nationalobservation o
        JOIN (SELECT series_id, min(period_start) AS first, min(activity_n) AS activity_n
              FROM sub GROUP BY series_id) s0
          ON s0.series_id = o.series_id
         AND o.period_start >= s0.first - interval '{int(lookback_months)} months'
        WHERE o.agency_id = %(agency)s
          AND NOT EXISTS (SELECT 1 FROM sub s
                          WHERE s.series_id = o.series_id AND s.period_start = o.period_start)
    )"""


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
