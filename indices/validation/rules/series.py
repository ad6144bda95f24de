"""Series rules: rows read together as series (E07, E09, W05, W06, W08)."""

from __future__ import annotations

from indices.validation.rules.base import finding_sql, insert_findings, label, rule, step
from indices.validation.rules.context import RuleContext
from indices.validation.rules.shared import (
    LOOKBACK_MONTHS,
    SERIES,
    shared,
    stats_series,
    submitted_rows,
)

MONTH_INDEX = "(extract(year FROM {d})::int * 12 + extract(month FROM {d})::int)"


def _month_index(day: str) -> str:
    return MONTH_INDEX.format(d=day)


@rule("E07")
def e07_duplicates(ctx: RuleContext) -> int:
    same = finding_sql(
        ctx,
        column="TIME_PERIOD",
        value="r.time_period",
        message="'Series ' || r.series_id || ' has ' || r.period_label || ' again: row ' "
        "|| r.first_row || ' already gives it. Keep one row per series and period'",
        series_key="r.series_id",
    )
    # A national code mapping to an ISIC code that the file also gives directly would count the
    # same production twice once harmonization (H1) combines the national codes.
    clash = (
        "'ACTIVITY ' || r.activity_n || ' for ' || r.period_label || ' is also given through '"
        " || CASE WHEN r.first_direct THEN 'this row''s NAT_CODE ' || quote_literal(r.nat_code)"
        " || ', which maps to it, while row ' || r.first_row || ' gives it directly'"
        " ELSE 'NAT_CODE ' || quote_literal(r.first_nat) || ' on row ' || r.first_row"
        " || ', which maps to it' END"
        " || ': send either the ISIC series in ACTIVITY or the national codes, not both'"
    )
    nat = finding_sql(
        ctx, column="NAT_CODE", value="r.nat_code", message=clash, series_key="r.series_id"
    )
    direct = finding_sql(
        ctx, column="ACTIVITY", value="r.activity", message=clash, series_key="r.series_id"
    )
    # Duplicates are looked for in the series with more rows than periods; clashes of direct and
    # national rows in the ISIC codes that come both ways.
    dup_series = stats_series(ctx, "t.n_rows > t.n_periods")
    clash_series = stats_series(
        ctx,
        """t.activity_n IS NOT NULL AND (t.freq_n, t.area, t.activity_n, t.adjustment_n) IN (
            SELECT t.freq_n, t.area, t.activity_n, t.adjustment_n FROM ipi_stats t
            WHERE t.activity_n IS NOT NULL GROUP BY 1, 2, 3, 4
            HAVING bool_or(t.any_direct) AND bool_or(t.any_nat))""",
    )
    if not dup_series and not clash_series:
        return 0
    select = f"""
    WITH dup AS (
        SELECT r.*, row_number() OVER w AS n, first_value(r.row_no) OVER w AS first_row
        FROM indices_submissionrow r
        WHERE r.submission_id = %(sid)s AND r.period_start IS NOT NULL
          AND r.series_id = ANY(%(dup)s::text[])
        WINDOW w AS (PARTITION BY r.series_id, r.period_start ORDER BY r.row_no)
    ),
    d AS (
        SELECT r.* FROM (
            SELECT r.*, row_number() OVER (PARTITION BY r.series_id, r.period_start
                                           ORDER BY r.row_no) AS n
            FROM indices_submissionrow r
            WHERE r.submission_id = %(sid)s AND r.period_start IS NOT NULL
              AND r.series_id = ANY(%(clash)s::text[])
        ) r
        WHERE r.n = 1 AND r.activity_n IS NOT NULL AND (r.activity = '') <> (r.nat_code = '')
    ),
    isic AS (
        SELECT r.row_no, r.sheet, r.value_cell, r.series_id, r.activity, r.nat_code,
               r.activity_n, r.period_label, r.time_period, r.ref_area, r.freq_n, r.adjustment_n,
               first_value(r.row_no) OVER o AS first_row,
               first_value(r.nat_code = '') OVER o AS first_direct,
               first_value(r.nat_code) OVER o AS first_nat,
               bool_or(r.nat_code = '') OVER g AS any_direct,
               bool_or(r.nat_code <> '') OVER g AS any_nat
        FROM d r
        WINDOW g AS (PARTITION BY r.freq_n, upper(r.ref_area), r.activity_n, r.adjustment_n,
                                  r.period_start),
               o AS (g ORDER BY r.row_no)
    )
    SELECT {same} FROM dup r WHERE r.n > 1
    UNION ALL
    SELECT {nat} FROM isic r
    WHERE r.any_direct AND r.any_nat AND r.first_direct AND r.nat_code <> ''
    UNION ALL
    SELECT {direct} FROM isic r
    WHERE r.any_direct AND r.any_nat AND NOT r.first_direct AND r.nat_code = ''"""
    return insert_findings(ctx, "E07", select, {"dup": dup_series, "clash": clash_series})


@rule("E09")
def e09_base_year_mean(ctx: RuleContext) -> int:
    message = (
        "'Series ' || r.series_id || ' averages ' || round(r.mean::numeric, 2) || ' over the '"
        " || r.n || CASE r.freq_n WHEN 'Q' THEN ' quarters' ELSE ' months' END"
        " || ' of its base year ' || r.base_year || ', not 100 (allowed: ' || 100 - %(tol)s"
        " || ' to ' || 100 + %(tol)s || '): check BASE_PER, or send the index on its base'"
        " || ' (base year = 100)'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="round(r.mean::numeric, 2)",  # as the message shows it
        message=message,
        series_key="r.series_id",
        time_period="r.base_year",
    )
    select = f"""
    WITH b AS (
        SELECT s.*, count(*) OVER g AS n, avg(s.value_n) OVER g AS mean,
               row_number() OVER (g ORDER BY s.row_no) AS k
        FROM {submitted_rows(ctx)} s
        WHERE s.adjustment_n IN ('N', 'W') AND s.value_n IS NOT NULL
          AND extract(year FROM s.period_start) = s.base_year
        WINDOW g AS (PARTITION BY s.series_id, s.base_year)
    )
    SELECT {finding} FROM b r
    WHERE r.k = 1 AND r.n = CASE r.freq_n WHEN 'Q' THEN 4 ELSE 12 END
      AND abs(r.mean - 100) > %(tol)s"""
    return insert_findings(ctx, "E09", select, {"tol": ctx.threshold("E09", "base_mean_tolerance")})


@rule("W05")
def w05_gaps(ctx: RuleContext) -> int:
    # Any row naming the series and period fills it: a wrong value there is E06's finding, and
    # a missing status says the gap is known.
    first, last = f"(r.prev + {step()})::date", f"(r.period_start - {step()})::date"
    months = "CASE r.freq_n WHEN 'Q' THEN 3 ELSE 1 END"
    count = f"(({_month_index('r.period_start')} - {_month_index('r.prev')}) / {months} - 1)"
    missing = (
        f"CASE WHEN {count} = 1 THEN {label(first)} ELSE {label(first)} || ' to ' || {label(last)}"
        " END"
    )
    message = (
        f"'Series ' || r.series_id || ' has no row for ' || {missing} || ' (' || {count}"
        " || CASE r.freq_n WHEN 'Q' THEN ' quarter' ELSE ' month' END"
        f" || CASE WHEN {count} = 1 THEN '' ELSE 's' END || ') between ' || {label('r.prev')}"
        " || ' and ' || r.period_label || ': add the values, or rows with an empty OBS_VALUE'"
        " || ' and OBS_STATUS ' || %(missing_list)s || ' if they are missing'"
    )
    finding = finding_sql(
        ctx,
        column="TIME_PERIOD",
        value=missing,
        message=message,
        series_key="r.series_id",
        time_period=label(first),
    )
    # Only series with fewer periods than their span are read row by row.
    months = "CASE t.freq_n WHEN 'Q' THEN 3 ELSE 1 END"
    span = f"(({_month_index('t.last')} - {_month_index('t.first')}) / {months} + 1)"
    select = f"""
    WITH p AS (
        SELECT DISTINCT ON (r.series_id, r.period_start) r.*
        FROM indices_submissionrow r
        WHERE r.submission_id = %(sid)s AND r.period_start IS NOT NULL
          AND r.series_id = ANY(%(gaps)s::text[])
          -- a period in the future is E05's finding; the months before it are no gap
          AND r.period_start <= CASE r.freq_n WHEN 'Q' THEN %(current_quarter)s::date
                                              ELSE %(current_month)s::date END
        ORDER BY r.series_id, r.period_start, r.row_no
    ),
    g AS (
        SELECT p.*, lag(p.period_start) OVER (PARTITION BY p.series_id ORDER BY p.period_start)
               AS prev
        FROM p
    )
    SELECT {finding} FROM g r
    WHERE r.prev IS NOT NULL AND r.period_start > r.prev + {step()}"""
    gap_series = stats_series(ctx, f"t.n_periods < {span}")
    if not gap_series:
        return 0
    return insert_findings(ctx, "W05", select, {"gaps": gap_series})


# W06 reads the stored history back this far before a series' first submitted period.
FLAT_LOOKBACK_MONTHS = 120
assert FLAT_LOOKBACK_MONTHS <= LOOKBACK_MONTHS


@rule("W06")
def w06_flat_line(ctx: RuleContext) -> int:
    message = (
        "'Series ' || r.series_id || ' has the same value ' || r.v || ' in ' || r.n"
        f" || ' consecutive periods, ' || {label('r.first', 'r.freq_n')} || ' to '"
        f" || {label('r.last', 'r.freq_n')} || ': check that the value was updated each'"
        " || ' period (a repeated value is often a copy of the previous one)'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period=label("r.first", "r.freq_n"),
    )
    # The stored history counts, so a run continued by a one-month upload is seen; a run made
    # only of stored periods was already accepted and is not reported again.
    # Only rows equal to a neighbour can be in a run, so the runs are found among those few:
    # a run is a row unequal to the one before followed by rows equal to the one before.
    select = f"""
    WITH m AS (
        SELECT m.* FROM {shared(ctx, SERIES)} m
        WHERE (m.flat OR m.next_flat) AND m.v IS NOT NULL
          AND (m.submitted
               OR m.period_start >= m.first_sub - interval '{int(FLAT_LOOKBACK_MONTHS)} months')
    ),
    k AS (
        SELECT m.*,
               sum(CASE WHEN m.flat AND (m.submitted OR m.period_start
                             > m.first_sub - interval '{int(FLAT_LOOKBACK_MONTHS)} months')
                        THEN 0 ELSE 1 END)
                    OVER (PARTITION BY m.series_id ORDER BY m.period_start) AS run
        FROM m
    ),
    runs AS (
        SELECT k.*, count(*) OVER g AS n, min(k.period_start) OVER g AS first,
               max(k.period_start) OVER g AS last,
               min(k.row_no) FILTER (WHERE k.submitted) OVER g AS first_submitted
        FROM k WINDOW g AS (PARTITION BY k.series_id, k.run)
    )
    SELECT {finding} FROM runs r
    WHERE r.row_no = r.first_submitted AND r.n >= %(min_run)s"""
    return insert_findings(
        ctx, "W06", select, {"min_run": int(ctx.threshold("W06", "min_flat_run"))}
    )


@rule("W08")
def w08_stale_base(ctx: RuleContext) -> int:
    message = (
        "'BASE_PER ' || r.base_year || ' is ' || r.age || ' years before the newest period '"
        " || r.period_label || ' of series ' || r.series_id || ' (more than ' || %(max_age)s"
        " || '): rebase the national index, or confirm that this base is still current'"
    )
    finding = finding_sql(
        ctx, column="BASE_PER", value="r.base_per", message=message, series_key="r.series_id"
    )
    select = f"""
    WITH last AS (
        SELECT s.series_id, max(s.period_start) AS period_start
        FROM {submitted_rows(ctx)} s GROUP BY s.series_id
    ),
    newest AS (
        SELECT s.*, extract(year FROM s.period_start)::int - s.base_year AS age
        FROM {submitted_rows(ctx)} s JOIN last USING (series_id, period_start)
    )
    SELECT {finding} FROM newest r
    WHERE r.age > %(max_age)s"""
    return insert_findings(
        ctx, "W08", select, {"max_age": int(ctx.threshold("W08", "max_base_age_years"))}
    )
