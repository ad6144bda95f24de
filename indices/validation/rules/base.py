"""What every rule shares: the registry, SQL fragments, and the one INSERT of findings (capped
per rule, with the uncapped total) that every rule goes through.

Rules are SQL over the staging table of one submission. Fragments below use the named
parameters of `base_params` (rules/context.py); a literal percent sign in rule SQL is `%%`.
The tables several rules share are in rules/shared.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.db import connection

from indices.validation.rules.context import RuleContext, base_params
from indices.validation.rules.shared import shared_tables

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
