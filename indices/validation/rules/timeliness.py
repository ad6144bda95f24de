"""Timeliness: W07, one finding for the submission when its newest period is old."""

from __future__ import annotations

from indices.validation.rules.base import finding_sql, insert_findings, rule, step
from indices.validation.rules.context import RuleContext
from indices.validation.rules.shared import submitted_rows


@rule("W07")
def w07_late(ctx: RuleContext) -> int:
    message = (
        "'The newest period in this submission, ' || r.period_label || ', ended on '"
        " || to_char(r.period_end, 'YYYY-MM-DD') || ', ' || r.days_late || ' days before '"
        " || to_char(%(today)s::date, 'YYYY-MM-DD') || '; data are due within ' || %(max_days)s"
        " || ' days of the end of the period: send the newer periods as well, or say why in'"
        " || ' the submission comment'"
    )
    finding = finding_sql(
        ctx,
        column="TIME_PERIOD",
        value="r.time_period",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )
    select = f"""
    WITH last AS (
        -- The period that ends last: the largest month number of the period after it
        -- (integers sort much faster than the dates + intervals they stand for).
        SELECT s.* FROM {submitted_rows(ctx)} s
        ORDER BY s.mi + CASE s.freq_n WHEN 'Q' THEN 3 ELSE 1 END DESC, s.row_no
        LIMIT 1
    ),
    newest AS (
        SELECT s.*, e.period_end, %(today)s::date - e.period_end AS days_late
        FROM last s,
             LATERAL (SELECT (s.period_start + {step("s.freq_n")})::date - 1 AS period_end) e
    )
    SELECT {finding} FROM newest r WHERE r.days_late > %(max_days)s"""
    return insert_findings(
        ctx, "W07", select, {"max_days": int(ctx.threshold("W07", "max_days_late"))}
    )
