"""Tables several rules read, derived from the submission's rows once per run (ctx.derived).

`series(ctx)`: the submission's valid rows (`valid_condition`: every normalized value valid,
the base year within E08's range so a bad BASE_PER is E08's finding alone, the period not in
the future, the value an index level or absent with a missing status), the first row of each
series and period, `submitted`, over the agency's stored history of the same series from
LOOKBACK_MONTHS before the series' first submitted period (SHORT_LOOKBACK_MONTHS for a series
other than N, and for an N series of a short submission with, each year before, only the
periods W01 compares with, unless a flat run reaches further back; the submission wins for a
period it carries, its value or its missing status). Each row has
  v: the value (value_n, or the stored value);
  pv / py: the value of the period just before / of the same period a year before;
  pct / pct_year: the % change on pv / py (NULL unless v and pv / py are > 0);
  flat / next_flat: v equals the value of the period just before / just after;
  mi: the month number, year * 12 + month - 1;
  first_sub: the series' first submitted period.
It holds only what the rules compare over both (`SERIES_COLUMNS`); `submitted_rows(ctx)` holds
the submitted rows with every column and the same computed ones, and `at` says which row of it
a submitted row of `series(ctx)` is.

`stats(ctx)`: one row per series named by any row: how many rows give a period, how many
distinct periods, the first and last, the smallest and largest base year in E08's range, and
whether rows give its ISIC code directly or through a national code. Duplicates (E07), gaps
(W05) and mixed base years (E08) are looked for in detail only in the series these single out.
"""

from __future__ import annotations

import polars as pl

from indices.national.copy_out import copied_out
from indices.validate.rules.context import RuleContext, current_period

# How far back the stored history is read before a series' first submitted period: W01 needs
# `history_years` (at most LOOKBACK_YEARS) of same-month changes, each on its previous period.
LOOKBACK_YEARS = 10
LOOKBACK_MONTHS = LOOKBACK_YEARS * 12 + 3
# Only N series are compared with their history of same-month changes (W01); the others need
# the period before and the same period a year before (W02, W03: 12 months, and a quarter).
# W06 counts a flat run back to its own lookback, so a series whose short history starts inside
# a run (its first two periods read are equal) is read again from LOOKBACK_MONTHS. A monthly
# update of every series of a country reads a third of the rows it would read otherwise.
SHORT_LOOKBACK_MONTHS = 15
# An N series whose submitted periods span fewer months than this (a monthly update) is read as
# the others are, and then, for each year further back, only the periods W01 compares its
# changes with and the period before each: their calendar months are not those of any other
# submitted period, and the years' ranges do not touch one another or the short history's
# (W06 sees a flat run only in the short history, or in the whole lookback read again). An
# update of four months reads 60 of the 123 months of each N series.
SPARSE_SPAN_MONTHS = 8

# The stored history's columns, as the submission's rows name them; the series by its number
# (sk), not its id: a number is a third of the bytes to COPY, and joins several times faster.
# What the series id fixes (frequency, area, national code, adjustment) is taken from the
# series' submitted rows, not read again for every stored period: writing those texts out was
# most of PostgreSQL's time in the COPY.
HISTORY_SCHEMA = {
    "sk": pl.UInt32,
    "period_start": pl.Date,
    "v": pl.Float64,
    "base_year": pl.Int32,
}


def months_of(freq: pl.Expr | None = None) -> pl.Expr:
    """Months between two periods of a series: 3 for quarters, else 1."""
    freq = pl.col("freq_n") if freq is None else freq
    return pl.when(freq == "Q").then(3).otherwise(1)


def month_number(day: pl.Expr) -> pl.Expr:
    """year * 12 + month - 1 of a date, as the frame's `mi`."""
    return day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1


def month_start(mi: pl.Expr) -> pl.Expr:
    """The first day of month number `mi` (year * 12 + month - 1)."""
    return pl.date(mi // 12, mi % 12 + 1, 1)


def label_from_month(mi: pl.Expr, freq: pl.Expr | None = None) -> pl.Expr:
    """The label of the period starting in month number `mi` (year * 12 + month - 1):
    2024-Q1 for a quarter (FREQ Q), else 2024-01 (services.vintages.period_label, vectorized)."""
    freq = pl.col("freq_n") if freq is None else freq
    year = (mi // 12).cast(pl.String).str.zfill(4)
    month = mi % 12 + 1
    quarter = (month - 1) // 3 + 1
    return (
        pl.when(freq == "Q")
        .then(pl.concat_str(year, pl.lit("-Q"), quarter.cast(pl.String)))
        .otherwise(pl.concat_str(year, pl.lit("-"), month.cast(pl.String).str.zfill(2)))
    )


# series_period(): a series' number (sk) times SERIES_STRIDE plus the month number.
SERIES_STRIDE = 1 << 32


def series_period() -> pl.Expr:
    """One integer per series and period: sorting or comparing by it is several times faster
    than by the series id's text and the date."""
    return pl.col("sk").cast(pl.Int64) * SERIES_STRIDE + pl.col("mi")


def keyed() -> pl.Expr:
    """A row that names its series by exactly one of ACTIVITY and NAT_CODE, resolved."""
    return (
        pl.col("period_start").is_not_null()
        & pl.col("activity_n").is_not_null()
        & ((pl.col("activity") == "") != (pl.col("nat_code") == ""))
    )


def valid_condition(ctx: RuleContext) -> pl.Expr:
    missing = pl.col("status_n").is_in(ctx.missing_statuses)
    return (
        pl.col("series_id").is_not_null()
        & pl.col("period_start").is_not_null()
        & pl.col("activity_n").is_not_null()
        & pl.col("status_n").is_not_null()
        & pl.col("base_year").is_between(ctx.min_year, ctx.max_year)
        & (pl.col("area_n") == ctx.country_code)
        & ((pl.col("activity") == "") != (pl.col("nat_code") == ""))
        & (pl.col("period_start") <= current_period(ctx))
        & (
            (pl.col("value_n").is_between(ctx.min_value, ctx.max_value) & ~missing)
            | ((pl.col("obs_value") == "") & missing)
        )
    )


def valid_rows(ctx: RuleContext) -> pl.DataFrame:
    """The valid rows, the first of each series and period (by row number, then file order),
    in the order of series (sk) and period."""
    if "valid" not in ctx.derived:
        # The order is found on the keys alone, then the rows are gathered once: moving the
        # text columns costs most of the time and memory. The first of a series and period by
        # row number, then file position; without the raw columns the rules read normalized.
        keys = ctx.rows.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("position"),
            "sk",
            "mi",
            "row_no",
            valid_condition(ctx).alias("valid"),
        )
        if _in_order(keys):  # a file written series by series, period after period
            valid = keys["valid"].fill_null(False)  # NULL, unknown, is not valid
            rows = _without_raw_codes(ctx.rows)
            rows = rows if valid.all() else rows.filter(valid)
        else:
            ordered = keys.filter("valid").select("position", "row_no", key=series_period())
            if ordered["row_no"].is_sorted():  # file order is row order: a stable sort will do
                ordered = ordered.sort("key", maintain_order=True)
            else:
                ordered = ordered.sort("key", "row_no", "position")
            first = (pl.col("key") != pl.col("key").shift(1)).fill_null(True)
            positions = ordered.filter(first)["position"]
            if positions.len() == ctx.rows.height:
                # Every row valid and alone in its period: the valid rows are the file's rows
                # in another order, and the rules read them in that order from here on.
                ctx.rows = _reordered(ctx, positions)
                rows = _without_raw_codes(ctx.rows)
            else:
                rows = _gathered(_without_raw_codes(ctx.rows), positions)
        ctx.derived["valid"] = rows.with_columns(v=pl.col("value_n"), submitted=pl.lit(True))
    return ctx.derived["valid"]


def _without_raw_codes(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows without the raw texts of the codes the rules read normalized."""
    return rows.drop("freq", "adjustment", "obs_status")


def _gathered(rows: pl.DataFrame, positions: pl.Series) -> pl.DataFrame:
    # One chunk first: a gather from many chunks costs several times more.
    return rows.rechunk().select(pl.all().gather(positions))


def _reordered(ctx: RuleContext, positions: pl.Series) -> pl.DataFrame:
    """The context's rows gathered at `positions`, eight columns at a time, each let go once
    gathered (the context lets go of them first). For a random-order file of 1,550,000 rows,
    gathered at once they peaked at 1,106 MB (every column in both orders), eight at a time at
    904 MB; fewer at a time keep less but take longer: a million rows took 0.14 s at once,
    0.18 s eight at a time, 0.20 s four at a time (docs/benchmarks.md)."""
    rows = ctx.rows.rechunk()
    ctx.rows = rows.clear()
    gathered: list[pl.Series] = []
    while rows.width:
        some = rows.columns[:8]
        gathered += rows.select(pl.col(some).gather(positions)).get_columns()
        rows = rows.drop(some)
    return pl.DataFrame(gathered)


def rows_in_series_order(ctx: RuleContext) -> pl.DataFrame:
    """The rows in series and period order where the valid rows are every row (each valid,
    one per series and period: as every accepted file's), else as the file gives them. What
    validation keeps for publication (validate/rows.py): a file in random order compresses
    into the kept frame in half the time once its rows are in series order (0.07 s against
    0.14 s for a million rows)."""
    valid = valid_rows(ctx)
    return valid if valid.height == ctx.rows.height else ctx.rows


def _in_order(keys: pl.DataFrame) -> bool:
    """Whether the valid rows are in series and period order already, one row per period."""
    in_order = series_period().diff() > 0
    return bool(keys.lazy().filter("valid").select(in_order.all()).collect().item())


def series(ctx: RuleContext) -> pl.DataFrame:
    """The valid rows over the stored history (the module docstring), narrow: `SERIES_COLUMNS`,
    each submitted row's position in `submitted_rows` (`at`; NULL for a stored period), and the
    columns computed over both (`COMPUTED`). A rule that reports a row takes it, with all its
    columns, from `submitted_rows` by `at`."""
    if "series" not in ctx.derived:
        ctx.derived["series"], ctx.derived["submitted"] = _series(ctx)
    return ctx.derived["series"]


def submitted_rows(ctx: RuleContext) -> pl.DataFrame:
    """The valid rows (one per series and period), every column, with `first_sub` and the
    columns computed over the stored history (`COMPUTED`), in the order of series and period."""
    if "submitted" not in ctx.derived:
        ctx.derived["series"], ctx.derived["submitted"] = _series(ctx)
    return ctx.derived["submitted"]


# A series' first row in a frame sorted by series (sk) and period.
_SERIES_STARTS = pl.col("sk") != pl.col("sk").shift(1)
# What `series` holds of every row, submitted or stored, besides `at` and COMPUTED: what the
# rules that read the stored periods too (W01, W06) compare. The rows' other columns (texts of
# the file, cells, labels) are left out of it: for a second file with every other month missing,
# its 500,000 rows among a million stored periods, filling them in for each stored period and
# sorting them with the rest took validation to 1,039 MB.
SERIES_COLUMNS = (
    "sk",
    "mi",
    "v",
    "submitted",
    "series_id",
    "freq_n",
    "adjustment_n",
    "first_sub",
    "row_no",
    "period_label",
)
COMPUTED = ("pv", "nv", "py", "pct", "pct_year", "flat", "next_flat")


def _series(ctx: RuleContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(`series`, `submitted_rows`)."""
    sub = valid_rows(ctx).with_columns(
        first_sub=pl.when(_SERIES_STARTS.fill_null(True))
        .then(pl.col("period_start"))
        .forward_fill()
    )
    # Every row of a series has the same frequency and adjustment (the series id spells
    # them): its stored periods take them from its first row.
    firsts = sub.filter(_SERIES_STARTS.fill_null(True)).select(
        "sk", "series_id", "first_sub", "freq_n", "adjustment_n"
    )
    # A series given for every period from its first to its last: the stored values of those
    # periods are not its history (the submission wins), so they are not read.
    step = pl.when(pl.col("freq_n").first() == "Q").then(3).otherwise(1)
    spans = sub.group_by("sk", maintain_order=True).agg(
        last_sub=pl.col("period_start").last(),
        whole=pl.len() == (pl.col("mi").last() - pl.col("mi").first()) // step + 1,
    )
    firsts = firsts.join(spans, on="sk", maintain_order="left")
    history = stored_history(ctx, firsts)
    merged = sub.select(*SERIES_COLUMNS, at=pl.int_range(pl.len(), dtype=pl.UInt32))
    if history.height:
        history = (
            history.select("sk", "v", mi=month_number(pl.col("period_start")))
            .join(sub.select("sk", "mi"), on=["sk", "mi"], how="anti")
            .join(firsts.select("sk", "series_id", "freq_n", "adjustment_n", "first_sub"), on="sk")
            .with_columns(period_label=label_from_month(pl.col("mi")), submitted=pl.lit(False))
        )
        merged = _merged(merged, history)
    months = months_of()
    same_series = pl.col("sk").shift(1) == pl.col("sk")
    next_same = pl.col("sk").shift(-1) == pl.col("sk")
    py = merged["v"].gather(_year_before(merged.select(series_period())))
    merged = merged.with_columns(
        pv=pl.when(same_series & (pl.col("mi").shift(1) == pl.col("mi") - months)).then(
            pl.col("v").shift(1)
        ),
        nv=pl.when(next_same & (pl.col("mi").shift(-1) == pl.col("mi") + months)).then(
            pl.col("v").shift(-1)
        ),
        py=py,
    ).with_columns(
        pct=pl.when(pl.col("v").is_not_null() & (pl.col("pv") > 0)).then(
            100 * (pl.col("v") / pl.col("pv") - 1)
        ),
        pct_year=pl.when(pl.col("v").is_not_null() & (pl.col("py") > 0)).then(
            100 * (pl.col("v") / pl.col("py") - 1)
        ),
        flat=(pl.col("v") == pl.col("pv")).fill_null(False),
        next_flat=(pl.col("v") == pl.col("nv")).fill_null(False),
    )
    # The submitted rows keep their order in the merge (both in series and period order, one
    # row per series and period), so their computed columns line up with `sub` row for row.
    computed = merged if merged.height == sub.height else merged.filter("submitted")
    return merged, sub.hstack(computed.select(COMPUTED).get_columns())


def _merged(sub: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """The submitted rows and the stored history as one frame in series and period order (each
    pair once), sorted by one integer: by the two columns, a million rows with a few thousand
    stored took three times as long (0.19 s against 0.07 s). The two frames are not put in
    one chunk first: that copy would cost as much memory again as the sort's."""
    return pl.concat([sub, history], how="diagonal_relaxed").sort(series_period())


def _year_before(keys: pl.DataFrame) -> pl.Series:
    """The position of the same period a year before (NULL where there is none) in `keys`,
    the frame's series_period() column: unique, sorted.

    Without gaps it is 12 rows before (4 for quarters); the rest are found by binary search.
    """
    key = pl.col(keys.columns[0])
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    before = keys.select(
        pl.when(key.shift(12) == key - 12)
        .then(position - 12)
        .when(key.shift(4) == key - 12)
        .then(position - 4)
    ).to_series()
    rest = before.is_null().arg_true()
    if rest.len():
        sorted_keys = keys.to_series()
        targets = sorted_keys.gather(rest) - 12
        at, hit = positions_in(sorted_keys, targets)
        before = before.scatter(rest.filter(hit), at.filter(hit).cast(pl.Int64))
    return before


def positions_in(sorted_keys: pl.Series, targets: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Where each of `targets` stands in `sorted_keys` (unique, sorted, not empty), and whether
    it is there at all (else its position is a neighbour's)."""
    at = sorted_keys.search_sorted(targets, side="left").clip(upper_bound=len(sorted_keys) - 1)
    return at, sorted_keys.gather(at) == targets


# One index range per series and part (series_no, period_start, base_year: migrations 0017,
# 0020), read backwards: each period's newest base year comes first and DISTINCT ON keeps it,
# with no sort. After a base change the store holds both bases where they overlap: the history
# of a period is its newest base's value. The parts of a series: `months` before its first
# submitted period on (up to it, when given whole), after its last (when given whole), and
# for a sparse series each year back from the second to the LOOKBACK_YEARS-th, the periods a
# year before those given and `step` before them. The parts are made here from one row per
# series: sent as arrays of every part, the parameters took longer to bind (client-side, for a
# COPY) than the read to run. The lateral subquery, not a join: a join lets the planner hash
# the agency's whole store (a scan of every row) for the thousands of series a country sends.
# A series never stored has no number, and no history.
_HISTORY_SQL = """
SELECT s.sk, n.period_start, n.value, n.base_year
FROM unnest(%(sk)s::int[], %(series)s::text[], %(firsts)s::date[], %(months)s::int[],
            %(until)s::date[], %(after)s::date[], %(steps)s::int[], %(lasts)s::date[])
    AS s(sk, series_id, first, months, until, after, step, last)
JOIN indices_nationalseries AS ns ON ns.agency_id = %(agency)s AND ns.series_id = s.series_id
CROSS JOIN LATERAL (
    SELECT (s.first - make_interval(months => s.months))::date,
           coalesce(s.until, 'infinity'::date)
    UNION ALL
    SELECT s.after + 1, 'infinity'::date WHERE s.after IS NOT NULL
    UNION ALL
    SELECT (s.first - make_interval(years => k, months => s.step))::date,
           (s.last - make_interval(years => k, months => -1))::date
    FROM generate_series(2, %(years)s) AS k
    WHERE s.step IS NOT NULL
) AS r(since, until)
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (n.period_start) n.period_start, n.value, n.base_year
    FROM indices_nationalobservation n
    WHERE n.series_no = ns.id AND n.period_start >= r.since AND n.period_start < r.until
    ORDER BY n.period_start DESC, n.base_year DESC
) AS n
"""


def stored_history(ctx: RuleContext, firsts: pl.DataFrame) -> pl.DataFrame:
    """The agency's stored observations of the submitted series (`firsts`: sk, series_id,
    adjustment_n, first_sub, last_sub and whole of each), from LOOKBACK_MONTHS before
    each one's first submitted period, or SHORT_LOOKBACK_MONTHS (and for an N series of a short
    submission, the periods W01 compares with each year further back), except the periods of a
    series given whole (one per period: the newest base year's), the series by its number
    (sk)."""
    if not firsts.height:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    first = month_number(pl.col("first_sub"))
    is_n = (pl.col("adjustment_n") == "N").fill_null(True)  # unknown: read in full
    sparse = (
        (pl.col("adjustment_n") == "N")
        & (month_number(pl.col("last_sub").cast(pl.Date)) - first < SPARSE_SPAN_MONTHS)
    ).fill_null(False)
    firsts = firsts.with_columns(
        months=pl.when(is_n & ~sparse).then(LOOKBACK_MONTHS).otherwise(SHORT_LOOKBACK_MONTHS),
        sparse=sparse,
    )
    history = _history_read(ctx, firsts)
    # The first two periods of each short history: equal, a flat run may go on before.
    short = firsts.filter(pl.col("months") == SHORT_LOOKBACK_MONTHS).select(
        "sk", short_from=month_start(first - SHORT_LOOKBACK_MONTHS)
    )
    earliest = (
        history.join(short, on="sk")
        .filter(pl.col("period_start") >= pl.col("short_from"))
        .sort("sk", "period_start")
        .group_by("sk", maintain_order=True)
        .agg(pl.col("v").head(2))
    )
    in_run = earliest.filter(
        (pl.col("v").list.len() == 2)
        & (pl.col("v").list.n_unique() == 1)
        & pl.col("v").list.first().is_not_null()
    )["sk"]
    if not in_run.len():
        return history
    again = firsts.filter(pl.col("sk").is_in(in_run)).with_columns(
        months=pl.lit(LOOKBACK_MONTHS), sparse=pl.lit(False)
    )
    return pl.concat([history.filter(~pl.col("sk").is_in(in_run)), _history_read(ctx, again)])


def _history_read(ctx: RuleContext, firsts: pl.DataFrame) -> pl.DataFrame:
    # A sparse series' second to LOOKBACK_YEARS-th year back: the periods W01 compares the given
    # ones with, from `step` (1 or 3 months) before the first; its series id spells its FREQ.
    freq = pl.col("series_id").str.split(".").list.first()
    params = {
        "agency": ctx.agency_id,
        "sk": firsts["sk"],
        "series": firsts["series_id"],
        "firsts": firsts["first_sub"],
        "months": firsts["months"],
        # A series given whole: read before its first period and after its last only.
        "until": firsts.select(pl.when("whole").then("first_sub"))["first_sub"],
        "after": firsts.select(pl.when("whole").then("last_sub"))["last_sub"],
        "steps": firsts.select(pl.when("sparse").then(months_of(freq)).alias("step"))["step"],
        "lasts": firsts.select(pl.when("sparse").then("last_sub"))["last_sub"],
        "years": LOOKBACK_YEARS,
    }
    return copied_out(_HISTORY_SQL, params, HISTORY_SCHEMA)


# As _HISTORY_SQL, one index range per series; OFFSET 0 keeps the subquery lateral (a plain
# one would be flattened into a join). Each value's series by its number in the submission (sk),
# not its id: for a second million-row file, a million series ids took 0.2 s of W04's 1.1 s.
_STORED_SQL = """
SELECT s.sk, n.period_start, n.base_year, n.value AS stored_value
FROM unnest(%(sk)s::int[], %(series)s::text[], %(firsts)s::date[]) AS s(sk, series_id, first)
JOIN indices_nationalseries AS ns ON ns.agency_id = %(agency)s AND ns.series_id = s.series_id
CROSS JOIN LATERAL (
    SELECT n.period_start, n.base_year, n.value
    FROM indices_nationalobservation n
    WHERE n.series_no = ns.id AND n.period_start >= s.first
    OFFSET 0
) AS n
"""
# A series' values from its first period given fill most of its pages: a bitmap scan reads
# each page once, where an index scan fetched them value by value (a million values of 2,000
# series: 1.44 million buffers, 0.45 s of the server's, against 35,000 and 0.15 s).
_WHOLE_PAGES = {"enable_indexscan": "off"}
STORED_SCHEMA = {
    "sk": pl.UInt32,
    "period_start": pl.Date,
    "base_year": pl.Int32,
    "stored_value": pl.Float64,
}


def stored_values(ctx: RuleContext) -> pl.DataFrame:
    """The agency's stored values of the periods the rows name, every base year, the series by
    its number (sk) (W04)."""
    if "stored" not in ctx.derived:
        named = stats(ctx).filter(pl.col("first").is_not_null())
        if named.height:
            params = {
                "agency": ctx.agency_id,
                "sk": named["sk"],
                "series": named["series_id"],
                "firsts": named["first"],
            }
            ctx.derived["stored"] = copied_out(
                _STORED_SQL, params, STORED_SCHEMA, planner=_WHOLE_PAGES
            )
        else:
            ctx.derived["stored"] = pl.DataFrame(schema=STORED_SCHEMA)
    return ctx.derived["stored"]


def stats(ctx: RuleContext) -> pl.DataFrame:
    if "stats" not in ctx.derived:
        in_range = pl.col("base_year").is_between(ctx.min_year, ctx.max_year)
        # Lazy, so only the columns aggregated are grouped. The rows without a series (sk NULL)
        # make one group, dropped after: filtering the rows first (or letting polars push the
        # filter down) takes twice as long.
        grouped = (
            ctx.rows.lazy()
            .with_columns(keyed=keyed())
            .group_by("sk")
            .agg(
                # The series id holds FREQ, REF_AREA (in capitals) and ADJUSTMENT: every row
                # of a series has the same.
                series_id=pl.col("series_id").first(),
                freq_n=pl.col("freq_n").first(),
                n_rows=pl.col("period_start").count(),
                n_periods=pl.col("mi").drop_nulls().n_unique(),
                first=pl.col("period_start").min(),
                last=pl.col("period_start").max(),
                min_base=pl.col("base_year").filter(in_range).min(),
                max_base=pl.col("base_year").filter(in_range).max(),
                adjustment_n=pl.col("adjustment_n").first(),
                area=pl.col("area_n").first(),
                activity_n=pl.col("activity_n").filter("keyed").min(),
                any_direct=(pl.col("nat_code") == "").filter("keyed").any(),
                any_nat=(pl.col("nat_code") != "").filter("keyed").any(),
            )
            .collect()
        )
        ctx.derived["stats"] = grouped.filter(pl.col("sk").is_not_null())
    return ctx.derived["stats"]


def stats_series(ctx: RuleContext, condition: pl.Expr) -> pl.Series:
    """The series of `stats` meeting `condition`, to look at in detail."""
    return stats(ctx).filter(condition)["series_id"]
