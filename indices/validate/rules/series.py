"""Series rules: rows read together as series (E07, E09, W05, W06, W08).

E07 and W05 read every row that names a series and a period (a duplicate or a gap is one
whatever else is wrong with the row), in the series `stats` singles out; E09, W06 and W08 read
the valid rows (`submitted_rows`), W06 with the agency's stored history before them.
"""

from __future__ import annotations

import polars as pl

from indices.validate.rules.base import Row, located, offending_to_locate, rule, store_findings
from indices.validate.rules.context import RuleContext, current_period
from indices.validate.rules.formatting import float_text, parameter, quote_literal, rounded
from indices.validate.rules.shared import (
    LOOKBACK_MONTHS,
    SERIES_STRIDE,
    label_from_month,
    month_number,
    months_of,
    series,
    series_period,
    stats,
    stats_series,
    submitted_rows,
)


def by_series_period(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` sorted by series and period (file order kept within each), with `key`
    (series_period()) and `first`: the row is the first of its series and period in the file
    (the lowest row number)."""
    return (
        frame.with_columns(key=series_period())
        .sort("key", maintain_order=True)
        .with_columns(first=pl.col("key") != pl.col("key").shift(1).fill_null(-1))
    )


# The columns of E07's findings and their messages.
_E07_COLUMNS = [
    "row_no",
    "sheet",
    "series_id",
    "sk",
    "mi",
    "period_start",
    "period_label",
    "time_period",
    "freq_n",
    "ref_area",
    "area_n",
    "activity",
    "nat_code",
    "activity_n",
    "adjustment_n",
]


@rule("E07")
def e07_duplicates(ctx: RuleContext) -> int:
    # Duplicates are looked for in the series with more rows than periods; clashes of direct and
    # national rows in the ISIC codes that come both ways.
    dup_series = stats_series(ctx, pl.col("n_rows") > pl.col("n_periods"))
    area_keys = ["freq_n", "area", "activity_n", "adjustment_n"]
    coded = stats(ctx).filter(pl.col("activity_n").is_not_null())
    both_ways = (
        coded.group_by(area_keys)
        .agg(pl.col("any_direct").any(), pl.col("any_nat").any())
        .filter(pl.col("any_direct") & pl.col("any_nat"))
    )
    # A join never matches a NULL key, as the old row comparison `(...) IN (...)` never did.
    clash_series = coded.join(both_ways.select(area_keys), on=area_keys, how="semi")["series_id"]
    if not dup_series.len() and not clash_series.len():
        return 0

    # The rows of some series with a period, only the columns the findings and their messages
    # read (and the row's position): each step below then moves a fraction of the rows' text.
    def named(series_ids: pl.Series, columns: list[str] = _E07_COLUMNS) -> pl.DataFrame:
        return (
            ctx.rows.lazy()
            .with_row_index("position")
            .filter(
                pl.col("period_start").is_not_null()
                & pl.col("series_id").is_in(series_ids.implode())
            )
            .select("position", *columns)
            .collect()
        )

    # A file sent twice over has as many duplicates as rows: they are found on the keys, and
    # only those whose findings may be kept are gathered whole.
    duplicates = (
        by_series_period(named(dup_series, ["row_no", "sk", "mi"]))
        .with_columns(first_row=pl.when(pl.col("first")).then(pl.col("row_no")).forward_fill())
        .filter(~pl.col("first"))
    )
    duplicates, total = offending_to_locate(ctx, duplicates)
    duplicates = (
        ctx.rows[duplicates["position"]].select(_E07_COLUMNS).with_columns(duplicates["first_row"])
    )
    same = located(
        ctx,
        duplicates,
        column="TIME_PERIOD",
        value="time_period",
        series_key=pl.col("series_id"),
    )

    # A national code mapping to an ISIC code that the file also gives directly would count the
    # same production twice once harmonization (H1) combines the national codes. The first row
    # of each series and period speaks for it, and only if it names its series one way.
    first_rows = (
        by_series_period(named(clash_series))
        .filter(
            pl.col("first")
            & pl.col("activity_n").is_not_null()
            & ((pl.col("activity") == "") != (pl.col("nat_code") == ""))
        )
        .sort("position")  # back in file order, where the first of an ISIC code is read
    )
    same_isic = [
        pl.col("freq_n"),
        pl.col("area_n"),
        pl.col("activity_n"),
        pl.col("adjustment_n"),
        pl.col("period_start"),
    ]
    direct = pl.col("nat_code") == ""
    isic = first_rows.with_columns(
        first_row=pl.col("row_no").first().over(same_isic),
        first_direct=direct.first().over(same_isic),
        first_nat=pl.col("nat_code").first().over(same_isic),
        both=(direct.any() & (~direct).any()).over(same_isic),
    )
    nat_rows, count = offending_to_locate(
        ctx, isic.filter(pl.col("both") & pl.col("first_direct") & ~direct)
    )
    total += count
    through_nat = located(
        ctx, nat_rows, column="NAT_CODE", value="nat_code", series_key=pl.col("series_id")
    )
    direct_rows, count = offending_to_locate(
        ctx, isic.filter(pl.col("both") & ~pl.col("first_direct") & direct)
    )
    total += count
    given_directly = located(
        ctx, direct_rows, column="ACTIVITY", value="activity", series_key=pl.col("series_id")
    )
    found = pl.concat([same, through_nat, given_directly], how="diagonal_relaxed")

    def message(row: Row) -> str:
        if row["column"] == "TIME_PERIOD":
            return (
                f"Series {row['series_id']} has {row['period_label']} again: row "
                f"{row['first_row']} already gives it. Keep one row per series and period"
            )
        if row["first_direct"]:
            through = (
                f"this row's NAT_CODE {quote_literal(row['nat_code'])}, which maps to it, "
                f"while row {row['first_row']} gives it directly"
            )
        else:
            through = (
                f"NAT_CODE {quote_literal(row['first_nat'])} on row {row['first_row']}, "
                "which maps to it"
            )
        return (
            f"ACTIVITY {row['activity_n']} for {row['period_label']} is also given through "
            f"{through}: send either the ISIC series in ACTIVITY or the national codes, not both"
        )

    return store_findings(ctx, "E07", found, message, total=total)


@rule("E09")
def e09_base_year_mean(ctx: RuleContext) -> int:
    tolerance = ctx.threshold("E09", "base_mean_tolerance")
    base_year = ["series_id", "base_year"]
    # Summed one value after the other in row order, as PostgreSQL's avg() did: a pairwise sum
    # can differ in the last bit, and the mean is compared with the tolerance and rounded.
    base_rows = (
        submitted_rows(ctx)
        .filter(
            pl.col("adjustment_n").is_in(["N", "W"])
            & pl.col("value_n").is_not_null()
            & (pl.col("period_start").dt.year() == pl.col("base_year"))
        )
        .sort("row_no", maintain_order=True)
        .with_columns(
            n=pl.len().over(base_year),
            mean=pl.col("value_n").cum_sum().last().over(base_year) / pl.len().over(base_year),
            position=pl.int_range(pl.len()).over(base_year),
        )
    )
    complete = pl.col("n") == pl.when(pl.col("freq_n") == "Q").then(4).otherwise(12)
    found = located(
        ctx,
        base_rows.filter(
            (pl.col("position") == 0) & complete & ((pl.col("mean") - 100).abs() > tolerance)
        ),
        column="OBS_VALUE",
        value="obs_value",  # replaced by the mean as the message shows it
        series_key=pl.col("series_id"),
        time_period=pl.col("base_year"),
    )
    exact = parameter(tolerance)
    allowed = f"{format(100 - exact, 'f')} to {format(100 + exact, 'f')}"

    def mean(row: Row) -> str:
        return rounded(row["mean"], 2)

    def message(row: Row) -> str:
        periods = "quarters" if row["freq_n"] == "Q" else "months"
        return (
            f"Series {row['series_id']} averages {mean(row)} over the {row['n']} {periods} of "
            f"its base year {row['base_year']}, not 100 (allowed: {allowed}): check BASE_PER, "
            "or send the index on its base (base year = 100)"
        )

    return store_findings(ctx, "E09", found, message, value=mean)


@rule("W05")
def w05_gaps(ctx: RuleContext) -> int:
    # Only series with fewer periods than their span are read row by row.
    span = (month_number(pl.col("last")) - month_number(pl.col("first"))) // months_of() + 1
    gap_series = stats_series(ctx, pl.col("n_periods") < span)
    if not gap_series.len():
        return 0
    # Any row naming the series and period fills it: a wrong value there is E06's finding, and
    # a missing status says the gap is known.
    months = months_of()
    first_missing = pl.col("prev_mi") + months
    series_code = pl.col("key") // SERIES_STRIDE
    same_series_as_before = series_code == series_code.shift(1)
    gaps = (
        # Only the columns the findings and their messages read.
        ctx.rows.select(
            "row_no", "sheet", "series_id", "sk", "freq_n", "mi", "period_start", "period_label"
        )
        .filter(
            pl.col("period_start").is_not_null()
            & pl.col("series_id").is_in(gap_series.implode())
            # a period in the future is E05's finding; the months before it are no gap
            & (pl.col("period_start") <= current_period(ctx))
        )
        .pipe(by_series_period)
        .filter(pl.col("first"))
        .with_columns(prev_mi=pl.when(same_series_as_before).then(pl.col("mi").shift(1)))
        .filter(pl.col("mi") > pl.col("prev_mi") + months)
    )
    # Labelled only where their findings may be kept.
    gaps, total = offending_to_locate(ctx, gaps)
    gaps = gaps.with_columns(
        count=(pl.col("mi") - pl.col("prev_mi")) // months - 1,
        first_label=label_from_month(first_missing),
        prev_label=label_from_month(pl.col("prev_mi")),
    ).with_columns(
        missing=pl.when(pl.col("count") == 1)
        .then(pl.col("first_label"))
        .otherwise(
            pl.concat_str(
                pl.col("first_label"), pl.lit(" to "), label_from_month(pl.col("mi") - months)
            )
        )
    )
    found = located(
        ctx,
        gaps,
        column="TIME_PERIOD",
        value="missing",
        series_key=pl.col("series_id"),
        time_period=pl.col("first_label"),
    )
    missing_list = ", ".join(ctx.missing_statuses)

    def message(row: Row) -> str:
        unit = "quarter" if row["freq_n"] == "Q" else "month"
        plural = "" if row["count"] == 1 else "s"
        return (
            f"Series {row['series_id']} has no row for {row['missing']} ({row['count']} "
            f"{unit}{plural}) between {row['prev_label']} and {row['period_label']}: add the "
            f"values, or rows with an empty OBS_VALUE and OBS_STATUS {missing_list} if they "
            "are missing"
        )

    return store_findings(ctx, "W05", found, message, total=total)


# W06 reads the stored history back this far before a series' first submitted period.
FLAT_LOOKBACK_MONTHS = 120
assert FLAT_LOOKBACK_MONTHS <= LOOKBACK_MONTHS


@rule("W06")
def w06_flat_line(ctx: RuleContext) -> int:
    min_run = int(ctx.threshold("W06", "min_flat_run"))
    # The stored history counts, so a run continued by a one-month upload is seen; a run made
    # only of stored periods was already accepted and is not reported again.
    # Only rows equal to a neighbour can be in a run, so the runs are found among those few:
    # a run is a row unequal to the one before followed by rows equal to the one before.
    lookback = month_number(pl.col("first_sub")) - FLAT_LOOKBACK_MONTHS
    # A row continues the run of the period before when it equals it, unless it is the first
    # period read back (the one before is not read); any other row starts a run.
    after_lookback = pl.col("submitted") | (pl.col("mi") > lookback)
    continues = (pl.col("flat") & after_lookback).fill_null(False)
    run = ["series_id", "run"]
    runs = (
        series(ctx)
        .filter(
            (pl.col("flat") | pl.col("next_flat"))
            & pl.col("v").is_not_null()
            & (pl.col("submitted") | (pl.col("mi") >= lookback))
        )
        # The series are in period order.
        .with_columns(run=(~continues).cast(pl.Int64).cum_sum().over("series_id"))
        .with_columns(
            n=pl.len().over(run),
            first_mi=pl.col("mi").min().over(run),
            last_mi=pl.col("mi").max().over(run),
            first_submitted=pl.col("row_no").filter(pl.col("submitted")).min().over(run),
        )
        # One finding per run, on its first submitted row; a wide sheet's row holds every
        # month of its series, so there on the row's first month of the run (its own cell).
        .with_columns(
            first_cell=pl.col("mi")
            .filter(pl.col("submitted") & (pl.col("row_no") == pl.col("first_submitted")))
            .min()
            .over(run)
        )
        .filter(
            (pl.col("row_no") == pl.col("first_submitted"))
            & (pl.col("mi") == pl.col("first_cell"))
            & (pl.col("n") >= min_run)
        )
        .with_columns(
            first_label=label_from_month(pl.col("first_mi")),
            last_label=label_from_month(pl.col("last_mi")),
        )
    )
    # Each run is reported on a submitted row: its texts and cell are submitted_rows'.
    rows = submitted_rows(ctx)[runs["at"].to_numpy()]
    found = located(
        ctx,
        rows.hstack(runs.select(pl.exclude(rows.columns)).get_columns()),
        column="OBS_VALUE",
        value="obs_value",
        series_key=pl.col("series_id"),
        time_period=pl.col("first_label"),
    )

    def message(row: Row) -> str:
        return (
            f"Series {row['series_id']} has the same value {float_text(row['v'])} in "
            f"{row['n']} consecutive periods, {row['first_label']} to {row['last_label']}: "
            "check that the value was updated each period (a repeated value is often a copy "
            "of the previous one)"
        )

    return store_findings(ctx, "W06", found, message)


@rule("W08")
def w08_stale_base(ctx: RuleContext) -> int:
    max_age = int(ctx.threshold("W08", "max_base_age_years"))
    newest = (
        submitted_rows(ctx)
        .filter(pl.col("period_start") == pl.col("period_start").max().over("series_id"))
        .with_columns(age=pl.col("period_start").dt.year().cast(pl.Int32) - pl.col("base_year"))
        .filter(pl.col("age") > max_age)
    )
    found = located(
        ctx, newest, column="BASE_PER", value="base_per", series_key=pl.col("series_id")
    )

    def message(row: Row) -> str:
        return (
            f"BASE_PER {row['base_year']} is {row['age']} years before the newest period "
            f"{row['period_label']} of series {row['series_id']} (more than {max_age}): rebase "
            "the national index, or confirm that this base is still current"
        )

    return store_findings(ctx, "W08", found, message)
