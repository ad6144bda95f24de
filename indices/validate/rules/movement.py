"""Movement rules: a submitted value against the previous period, the same period a year
before, and the value it replaces (W01, W02, W03, W04).

Previous values come from this submission or, where it does not carry that period, from the
agency's stored national series (the shared frame `series`, rules/shared.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from indices.validate.rules.base import (
    Row,
    offending_to_locate,
    rows_to_locate,
    rule,
    store_findings,
    value_located,
)
from indices.validate.rules.context import RuleContext
from indices.validate.rules.formatting import (
    float_text,
    month_name,
    parameter_text,
    rounded,
    signed,
)
from indices.validate.rules.shared import (
    LOOKBACK_MONTHS,
    SERIES_STRIDE,
    month_number,
    positions_in,
    series,
    stored_values,
    submitted_rows,
)

# W01's findings: the columns it adds to the submitted rows it flags.
UNUSUAL_SCHEMA = {
    "position": pl.UInt32,
    "n": pl.Int64,
    "med": pl.Float64,
    "z": pl.Float64,
}


def _divisions(ctx: RuleContext) -> list[str]:
    return [code.code for code in ctx.standard.codelists["CL_ACTIVITY_ISIC4"] if code.parent]


class _Limits:
    """A rule's section and division limits. Sections and the totals B-E / B_C move less than
    divisions, so they get tighter limits."""

    def __init__(self, ctx: RuleContext, rule_id: str, prefix: str) -> None:
        self.divisions = set(_divisions(ctx))
        self.section = ctx.threshold(rule_id, f"{prefix}_section")
        self.division = ctx.threshold(rule_id, f"{prefix}_division")

    def expr(self) -> pl.Expr:
        """Each row's limit, by its ISIC code."""
        is_division = pl.col("activity_n").is_in(sorted(self.divisions))
        return pl.when(is_division).then(pl.lit(self.division)).otherwise(pl.lit(self.section))

    def text(self, row: Row) -> str:
        """'more than <limit>% for a <level>' as the message shows it."""
        if row["activity_n"] in self.divisions:
            return f"more than {parameter_text(self.division)}% for a division"
        return f"more than {parameter_text(self.section)}% for a section/total"


def _medians(ordered: np.ndarray) -> np.ndarray:
    """percentile_cont(0.5) of each row of `ordered` (sorted along its rows), computed as
    PostgreSQL does (float8 lerp): the middle value, or lo + 0.5 * (hi - lo)."""
    size = ordered.shape[1]
    lo = ordered[:, (size - 1) // 2]
    if size % 2:
        return lo.copy()  # not a view: `ordered` may be overwritten
    return lo + 0.5 * (ordered[:, size // 2] - lo)


def _unusual(
    ctx: RuleContext, years: int, min_years: int, scale: float, max_z: float
) -> pl.DataFrame:
    """The submitted changes of N series with an unusual robust z: their position in
    `series(ctx)`, n (the years compared), the median and z.

    Each change is compared with the same calendar month's changes (submitted or stored) of up
    to `years` years before it. Sorted by series, calendar month and month, the changes a row
    is compared with are the n just before it; the rows of one n are gathered into a matrix
    (rows x n), sorted row by row and their medians taken as PostgreSQL's percentile_cont did,
    with the same float operations: the results are those of a loop per row, bit for bit, in
    a fraction of the time (a loop costs about 10 s for a million rows).
    """
    changes = (
        series(ctx)
        .select("sk", "mi", "pct", "submitted", "adjustment_n")
        .with_row_index("position")
        .filter((pl.col("adjustment_n") == "N") & pl.col("pct").is_not_null())
    )
    if not changes.height:
        return pl.DataFrame(schema=UNUSUAL_SCHEMA)
    # One integer key sorts faster than the series ids: a block per series (its number, sk)
    # and calendar month, then the month.
    code = changes["sk"].to_numpy().astype(np.int64)
    month = changes["mi"].to_numpy().astype(np.int64)
    month -= month.min()
    key = (code * 12 + month % 12) << 32 | month
    order = np.argsort(key, kind="stable")
    key = key[order]
    pct = changes["pct"].to_numpy()[order]
    # n: how many changes of its block lie within `years` before each change (its window is
    # the n just before it). The k-th change before a row is in the window only if the
    # (k-1)-th is; a change of another block is 2**32 or more away.
    n = np.zeros(len(key), dtype=np.int64)
    lag = 1
    while lag < len(key):
        in_window = key[lag:] - key[:-lag] <= 12 * years
        if not in_window.any():
            break
        n[lag:] += in_window
        lag += 1
    # Stored changes are history only.
    candidates = np.flatnonzero(changes["submitted"].to_numpy()[order] & (n >= min_years))
    positions = changes["position"].to_numpy()[order]
    found: list[pl.DataFrame] = []
    window_sizes = n[candidates]
    for size in np.unique(window_sizes).tolist():
        rows = candidates[window_sizes == size]
        # Row r's window is pct[r - size:r], a row of the sliding view.
        window = np.sort(sliding_window_view(pct, size)[rows - size], axis=1)
        med = _medians(window)
        np.subtract(window, med[:, None], out=window)
        np.abs(window, out=window)
        window.sort(axis=1)
        mad = _medians(window)
        # MAD 0 (identical changes every year): z is undefined, no finding. Float noise of
        # values that are in fact identical must not pass for spread.
        spread = mad > 1e-9
        rows, med, mad = rows[spread], med[spread], mad[spread]
        z = (pct[rows] - med) / (scale * mad)
        unusual = np.abs(z) > max_z
        found.append(
            pl.DataFrame(
                {
                    "position": positions[rows[unusual]],
                    "n": np.full(int(unusual.sum()), size, dtype=np.int64),
                    "med": med[unusual],
                    "z": z[unusual],
                },
                schema=UNUSUAL_SCHEMA,
            )
        )
    return pl.concat(found) if found else pl.DataFrame(schema=UNUSUAL_SCHEMA)


@rule("W01")
def w01_unusual_movement(ctx: RuleContext) -> int:
    years = int(ctx.threshold("W01", "history_years"))
    if 12 * years + 3 > LOOKBACK_MONTHS:
        raise ValueError(f"W01 history_years {years} reads past the stored-history lookback")
    max_z = ctx.threshold("W01", "max_abs_robust_z")
    unusual = _unusual(
        ctx,
        years,
        int(ctx.threshold("W01", "min_history_years")),
        ctx.threshold("W01", "mad_scale"),
        max_z,
    )
    if not unusual.height:
        return 0
    # Submitted changes only (`_unusual`): each a row of submitted_rows.
    at = series(ctx)["at"].gather(unusual["position"])
    flagged = submitted_rows(ctx)[at.to_numpy()].hstack(unusual.drop("position"))
    found = value_located(ctx, flagged)

    def message(row: Row) -> str:
        start = row["period_start"]
        if row["freq_n"] == "Q":
            same_period = f"Q{(start.month - 1) // 3 + 1}"
        else:
            same_period = month_name(start)
        return (
            f"OBS_VALUE {row['obs_value']} for {row['period_label']} changes by "
            f"{signed(row['pct'])}% on the previous period, unusual for {same_period} "
            f"(median change over the last {row['n']} years: {signed(row['med'])}%; "
            f"robust z = {rounded(row['z'], 1)}, limit {parameter_text(max_z)}): check the value; "
            "if it is right, say why in COMMENT"
        )

    return store_findings(ctx, "W01", found, message)


def _change_rule(
    ctx: RuleContext, rule_id: str, rows: pl.Expr, *, change: str, previous: str, what: str
) -> int:
    """`rows`: which submitted rows the rule reads (one filter: only findings are copied)."""
    prefix = {"W02": "max_abs_mom_pct", "W03": "max_abs_yoy_pct"}[rule_id]
    limits = _Limits(ctx, rule_id, prefix)
    offending, total = rows_to_locate(
        ctx, rows & (pl.col(change).abs() > limits.expr()), submitted_rows(ctx)
    )
    found = value_located(ctx, offending)

    def message(row: Row) -> str:
        return (
            f"OBS_VALUE {row['obs_value']} for {row['period_label']} changes by "
            f"{signed(row[change])}% on {what} ({rounded(row[previous], 3)}), "
            f"{limits.text(row)}: check the value; if it is right, say why in COMMENT"
        )

    return store_findings(ctx, rule_id, found, message, total=total)


@rule("W02")
def w02_adjusted_mom(ctx: RuleContext) -> int:
    adjusted = pl.col("adjustment_n").is_in(["S", "Y", "T"])
    return _change_rule(
        ctx, "W02", adjusted, change="pct", previous="pv", what="the previous period"
    )


@rule("W03")
def w03_yoy(ctx: RuleContext) -> int:
    return _change_rule(
        ctx, "W03", pl.lit(True), change="pct_year", previous="py", what="a year before"
    )


# The columns of a W04 finding's message, besides where it points.
_W04_COLUMNS = [
    "obs_value",
    "period_label",
    "status_n",
    "activity_n",
    "stored_value",
    "revision",
    "withdrawn",
]


def _with_stored(ctx: RuleContext, rows: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """The `rows` (valid: a series' number sk, a period, a base year in E08's range) that have a
    stored value of the same series, period and base year, with it (stored_value).

    Each value is keyed by one integer, its series' number, month and base year, and looked up
    in the stored keys sorted: a hash join of a million rows on the series' ids, periods and
    base years took 0.35 GB more memory, enough to take the largest upload's second file over
    1 GB, and (joined whole, every column) 0.6 s."""
    first_year = ctx.min_year  # base years from here, in 12 bits
    assert ctx.max_year - first_year < 4096
    month = month_number(pl.col("period_start")).cast(pl.Int64)
    key = (
        pl.col("sk").cast(pl.Int64) * SERIES_STRIDE
        + month * 4096
        + (pl.col("base_year").cast(pl.Int64) - first_year)
    )
    stored = (
        # A stored base year outside E08's range matches no valid row.
        stored.filter(pl.col("base_year").is_between(first_year, ctx.max_year))
        .select("stored_value", key=key)
        .sort("key")
    )
    if not stored.height:
        return rows.clear().with_columns(stored_value=pl.lit(None, dtype=pl.Float64))
    at, found = positions_in(stored["key"], rows.select(key).to_series())
    return rows.filter(found).with_columns(stored["stored_value"].gather(at.filter(found)))


@rule("W04")
def w04_revision(ctx: RuleContext) -> int:
    limits = _Limits(ctx, "W04", "max_revision_pct")
    stored = stored_values(ctx)
    if not stored.height:
        return 0  # nothing stored of these periods: nothing revised or withdrawn
    same_observation = ["sk", "period_start", "base_year"]
    submitted = submitted_rows(ctx)
    changes = (
        _with_stored(
            ctx,
            submitted.select(
                "sk",
                "period_start",
                "base_year",
                "activity_n",  # the limit's
                "value_n",
                "row_no",  # which findings may be kept
                position=pl.int_range(pl.len(), dtype=pl.UInt32),
            ).filter(pl.col("value_n").is_not_null()),
            stored,
        )
        .with_columns(revision=100 * (pl.col("value_n") / pl.col("stored_value") - 1))
        .filter((pl.col("stored_value") > 0) & (pl.col("revision").abs() > limits.expr()))
    )
    changes, total = offending_to_locate(ctx, changes)
    # Only the rows revised beyond the limit are gathered whole.
    revised = submitted[changes["position"]].with_columns(
        changes["stored_value"], changes["revision"], withdrawn=pl.lit(False)
    )
    # A row marking a period missing replaces its published value with nothing: the largest
    # revision of all, and one a clerk may not mean (a blank cell in a wide table). Any row,
    # valid or not. A stored missing value (NULL) has nothing published to withdraw.
    marking = ctx.rows.select(
        "row_no",
        *same_observation,
        position=pl.int_range(pl.len(), dtype=pl.UInt32),
        marking=(pl.col("obs_value") == "") & pl.col("status_n").is_in(ctx.missing_statuses),
    ).filter("marking")
    withdrawing = marking.join(
        stored.filter(pl.col("stored_value").is_not_null()), on=same_observation
    )
    withdrawing, count = offending_to_locate(ctx, withdrawing)
    total += count
    withdrawn = ctx.rows[withdrawing["position"]].with_columns(
        withdrawing["stored_value"],
        revision=pl.lit(None, dtype=pl.Float64),
        withdrawn=pl.lit(True),
    )
    located = [
        value_located(ctx, part).select(
            "row", "sheet", "cell", "column", "value", "series_key", "time_period", *_W04_COLUMNS
        )
        for part in (revised, withdrawn)
    ]
    found = pl.concat(located, how="vertical_relaxed")

    def message(row: Row) -> str:
        published = float_text(row["stored_value"])
        if row["withdrawn"]:
            return (
                f"OBS_STATUS {row['status_n']} with no OBS_VALUE for {row['period_label']} "
                f"withdraws the published {published}: confirm that the value is missing "
                "(say why in COMMENT) or give the value"
            )
        return (
            f"OBS_VALUE {row['obs_value']} for {row['period_label']} revises the published "
            f"{published} by {signed(row['revision'])}%, {limits.text(row)}: confirm the "
            "revision (say why in COMMENT) or correct the value"
        )

    return store_findings(ctx, "W04", found, message, total=total)
