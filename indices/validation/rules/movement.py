"""Movement rules: a submitted value against the previous period, the same period a year
before, and the value it replaces (W01, W02, W03, W04).

Previous values come from this submission or, where it does not carry that period, from the
agency's stored national series (`merged_sql`).
"""

from __future__ import annotations

from indices.validation.rules.base import (
    VALID_ROWS,
    RuleContext,
    finding_sql,
    insert_findings,
    merged_sql,
    rule,
    step,
)


def signed(expr: str, places: int = 1) -> str:
    """A number as text with its sign, e.g. +35.2 / -21.3."""
    return f"(CASE WHEN ({expr}) >= 0 THEN '+' ELSE '' END || round(({expr})::numeric, {places}))"


def _divisions(ctx: RuleContext) -> list[str]:
    return [code.code for code in ctx.standard.codelists["CL_ACTIVITY_ISIC4"] if code.parent]


def _changes(previous: str) -> str:
    """Submitted and stored values with the % change on `previous` (a window expression over
    `w`, the series in period order). Windows, not self-joins: one sort, whatever the planner
    guesses about the size of a freshly loaded submission."""
    return f"""
    c AS MATERIALIZED (
        SELECT m.*, 100 * (m.v / m.pv - 1) AS pct
        FROM (SELECT m.*, {previous} AS pv FROM merged m
              WINDOW w AS (PARTITION BY m.series_id ORDER BY m.period_start)) m
        WHERE m.v IS NOT NULL AND m.pv > 0
    )"""


PREVIOUS_PERIOD = (
    f"CASE WHEN lag(m.period_start) OVER w = m.period_start - {step('m.freq_n')}"
    " THEN lag(m.v) OVER w END"
)
# The frame is exactly the period 12 months before: empty (NULL) when the series lacks it.
YEAR_BEFORE = (
    "first_value(m.v) OVER (w RANGE BETWEEN interval '12 months' PRECEDING"
    " AND interval '12 months' PRECEDING)"
)


# Sections and the totals B-E / B_C move less than divisions, so they get tighter limits.
LIMIT = "CASE WHEN r.activity_n = ANY(%(divisions)s) THEN %(limit_div)s ELSE %(limit_sec)s END"
LEVEL = "CASE WHEN r.activity_n = ANY(%(divisions)s) THEN 'division' ELSE 'section/total' END"


@rule("W01")
def w01_unusual_movement(ctx: RuleContext) -> int:
    years = int(ctx.threshold("W01", "history_years"))
    same_period = (
        "CASE r.freq_n WHEN 'Q' THEN 'Q' || extract(quarter FROM r.period_start) "
        "ELSE to_char(r.period_start, 'FMMonth') END"
    )
    message = (
        f"'OBS_VALUE ' || r.obs_value || ' for ' || r.period_label || ' changes by ' "
        f"|| {signed('r.pct')} || '%% on the previous period, unusual for ' || {same_period}"
        f" || ' (median change over the last ' || r.n || ' years: ' || {signed('r.med')}"
        f" || '%%; robust z = ' || round(r.z::numeric, 1) || ', limit ' || %(max_z)s"
        " || '): check the value; if it is right, say why in COMMENT'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )
    # Each submitted change is compared with the same calendar month's changes of the years
    # before it, so a seasonal swing that recurs every year (Songkran in April) is normal.
    select = f"""
    WITH {merged_sql(12 * years + 3)},
    {_changes(PREVIOUS_PERIOD)},
    hist AS (
        SELECT c.*, array_agg(c.pct) OVER (
            PARTITION BY c.series_id, extract(month FROM c.period_start) ORDER BY c.period_start
            RANGE BETWEEN %(history)s::interval PRECEDING AND interval '1 month' PRECEDING
        ) AS pcts
        FROM c WHERE c.adjustment_n = 'N'
    ),
    t AS (
        SELECT h.*, cardinality(h.pcts) AS n,
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(h.pcts) x)
               AS med
        FROM hist h WHERE h.submitted AND cardinality(h.pcts) >= %(min_years)s
    ),
    z AS (
        SELECT t.*, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - t.med))
                     FROM unnest(t.pcts) x) AS mad
        FROM t
    ),
    r AS (
        SELECT z.*, (z.pct - z.med) / (%(scale)s * z.mad) AS z FROM z
        -- MAD 0 (identical changes every year): z is undefined, no finding. Float noise of
        -- values that are in fact identical must not pass for spread.
        WHERE z.mad > 1e-9
    )
    SELECT {finding} FROM r WHERE abs(r.z) > %(max_z)s"""
    params = {
        "history": f"{years} years",
        "min_years": int(ctx.threshold("W01", "min_history_years")),
        "scale": ctx.threshold("W01", "mad_scale"),
        "max_z": ctx.threshold("W01", "max_abs_robust_z"),
    }
    return insert_findings(ctx, "W01", select, params)


def _change_rule(ctx: RuleContext, rule_id: str, *, previous: str, what: str, where: str) -> int:
    prefix = {"W02": "max_abs_mom_pct", "W03": "max_abs_yoy_pct"}[rule_id]
    message = (
        f"'OBS_VALUE ' || r.obs_value || ' for ' || r.period_label || ' changes by '"
        f" || {signed('r.pct')} || '%% on {what} (' || round(r.pv::numeric, 3)"
        f" || '), more than ' || ({LIMIT}) || '%% for a ' || {LEVEL}"
        " || ': check the value; if it is right, say why in COMMENT'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )
    select = f"""
    WITH {merged_sql(12)},
    {_changes(previous)}
    SELECT {finding} FROM c r
    WHERE r.submitted AND {where} AND abs(r.pct) > {LIMIT}"""
    params = {
        "divisions": _divisions(ctx),
        "limit_sec": ctx.threshold(rule_id, f"{prefix}_section"),
        "limit_div": ctx.threshold(rule_id, f"{prefix}_division"),
    }
    return insert_findings(ctx, rule_id, select, params)


@rule("W02")
def w02_adjusted_mom(ctx: RuleContext) -> int:
    return _change_rule(
        ctx,
        "W02",
        previous=PREVIOUS_PERIOD,
        what="the previous period",
        where="r.adjustment_n IN ('S', 'Y', 'T')",
    )


@rule("W03")
def w03_yoy(ctx: RuleContext) -> int:
    return _change_rule(ctx, "W03", previous=YEAR_BEFORE, what="a year before", where="TRUE")


@rule("W04")
def w04_revision(ctx: RuleContext) -> int:
    pct = "100 * (r.value_n / o.value - 1)"
    message = (
        f"'OBS_VALUE ' || r.obs_value || ' for ' || r.period_label || ' revises the published '"
        f" || o.value || ' by ' || {signed(pct)} || '%%, more than ' || ({LIMIT}) || '%% for a '"
        f" || {LEVEL} || ': confirm the revision (say why in COMMENT) or correct the value'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )
    select = f"""
    WITH sub AS MATERIALIZED ({VALID_ROWS})
    SELECT {finding}
    FROM sub r JOIN indices_nationalobservation o
      ON o.agency_id = %(agency)s AND o.series_id = r.series_id
     AND o.period_start = r.period_start
    WHERE r.value_n IS NOT NULL AND o.value > 0 AND abs({pct}) > {LIMIT}"""
    params = {
        "divisions": _divisions(ctx),
        "limit_sec": ctx.threshold("W04", "max_revision_pct_section"),
        "limit_div": ctx.threshold("W04", "max_revision_pct_division"),
    }
    return insert_findings(ctx, "W04", select, params)
