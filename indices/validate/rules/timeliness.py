"""Timeliness: W07, one finding for the submission when its newest period is old.

The newest period is that of the submitted row (rules/shared.py `submitted_rows`) whose period
ends last, the lowest row number among equals; the finding is on its TIME_PERIOD when that
period ended more than `max_days_late` days before today (ctx.today).
"""

from __future__ import annotations

import polars as pl

from indices.validate.rules.base import Row, located, rule, store_findings
from indices.validate.rules.context import RuleContext
from indices.validate.rules.shared import months_of, submitted_rows


@rule("W07")
def w07_late(ctx: RuleContext) -> int:
    max_days = int(ctx.threshold("W07", "max_days_late"))
    # The period that ends last: the largest month number of the period after it; of the
    # rows giving one, the first by row number. Two filters, cheaper than sorting the rows.
    next_mi = pl.col("mi") + months_of()
    newest = (
        submitted_rows(ctx)
        .filter(next_mi == next_mi.max())
        .filter(pl.col("row_no") == pl.col("row_no").min())
        .head(1)
    )
    step = pl.when(pl.col("freq_n") == "Q").then(pl.lit("3mo")).otherwise(pl.lit("1mo"))
    period_end = pl.col("period_start").dt.offset_by(step).dt.offset_by("-1d")
    late = (
        newest.with_columns(period_end=period_end)
        .with_columns(days_late=(pl.lit(ctx.today) - pl.col("period_end")).dt.total_days())
        .filter(pl.col("days_late") > max_days)
    )
    found = located(
        ctx,
        late,
        column="TIME_PERIOD",
        value="time_period",
        series_key=pl.col("series_id"),
        time_period=pl.col("period_label"),
    )

    def message(row: Row) -> str:
        return (
            f"The newest period in this submission, {row['period_label']}, ended on "
            f"{row['period_end'].isoformat()}, {row['days_late']} days before "
            f"{ctx.today.isoformat()}; data are due within {max_days} days of the end of the "
            "period: send the newer periods as well, or say why in the submission comment"
        )

    return store_findings(ctx, "W07", found, message)
