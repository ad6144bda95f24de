"""Movement rules: a submitted value against the previous period, the same period a year
before, and the value it replaces (W01, W02, W03, W04).

Previous values come from this submission or, where it does not carry that period, from the
agency's stored national series (the shared table SERIES).
"""

from __future__ import annotations

from operator import itemgetter

from django.db import connection

from indices.validation.rules.base import insert_findings, rule, value_finding_sql
from indices.validation.rules.context import RuleContext
from indices.validation.rules.shared import LOOKBACK_MONTHS, SERIES, shared, submitted_rows


def signed(expr: str, places: int = 1) -> str:
    """A number as text with its sign, e.g. +35.2 / -21.3."""
    return f"(CASE WHEN ({expr}) >= 0 THEN '+' ELSE '' END || round(({expr})::numeric, {places}))"


def _divisions(ctx: RuleContext) -> list[str]:
    return [code.code for code in ctx.standard.codelists["CL_ACTIVITY_ISIC4"] if code.parent]


# Sections and the totals B-E / B_C move less than divisions, so they get tighter limits.
LIMIT = "CASE WHEN r.activity_n = ANY(%(divisions)s) THEN %(limit_div)s ELSE %(limit_sec)s END"
LEVEL = "CASE WHEN r.activity_n = ANY(%(divisions)s) THEN 'division' ELSE 'section/total' END"


def _median(ordered: list[float]) -> float:
    """percentile_cont(0.5) of sorted values, computed as PostgreSQL does (float8 lerp)."""
    n = len(ordered)
    lo = ordered[(n - 1) // 2]
    if n % 2:
        return lo
    return lo + 0.5 * (ordered[n // 2] - lo)


def _unusual(ctx: RuleContext, years: int, min_years: int, scale: float, max_z: float):
    """The submitted changes of N series with an unusual robust z:
    (row, series, period as year * 12 + month - 1, n, median, z).

    Each change is compared with the same calendar month's changes (submitted or stored) of up
    to `years` years before it. Computed here, per series and calendar month, from one ordered
    read: a median per row in SQL costs two subqueries a row (30 s for a million rows).
    """
    months_back = 12 * years
    found: list[tuple[int, str, int, int, float, float]] = []
    # One unordered read; the rows arrive in series order in practice, so the sorts below
    # (timsort) only confirm it.
    by_series: dict[str, list[tuple[int, float, int | None]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT c.series_id, c.mi, c.pct, c.row_no FROM {shared(ctx, SERIES)} c
                WHERE c.adjustment_n = 'N' AND c.pct IS NOT NULL"""
        )
        # fetchall: one C-level conversion of all rows, several times faster than iterating.
        for series_id, mi, pct, row_no in cursor.fetchall():
            by_series.setdefault(series_id, []).append((mi, pct, row_no))
    for series_id, changes in by_series.items():
        changes.sort(key=itemgetter(0))
        by_month: dict[int, list[tuple[int, float, int | None]]] = {}
        for change in changes:
            by_month.setdefault(change[0] % 12, []).append(change)
        for same_month in by_month.values():
            if len(same_month) <= min_years:
                continue
            indices = [c[0] for c in same_month]
            pcts = [c[1] for c in same_month]
            lo = 0
            for i in range(min_years, len(same_month)):
                row_no = same_month[i][2]
                if row_no is None:  # a stored change: history only
                    continue
                oldest = indices[i] - months_back
                while indices[lo] < oldest:
                    lo += 1
                n = i - lo
                if n < min_years:
                    continue
                window = pcts[lo:i]
                med = _median(sorted(window))
                mad = _median(sorted([abs(x - med) for x in window]))
                # MAD 0 (identical changes every year): z is undefined, no finding. Float noise
                # of values that are in fact identical must not pass for spread.
                if mad > 1e-9:
                    z = (pcts[i] - med) / (scale * mad)
                    if abs(z) > max_z:
                        found.append((row_no, series_id, indices[i], n, med, z))
    return found


@rule("W01")
def w01_unusual_movement(ctx: RuleContext) -> int:
    years = int(ctx.threshold("W01", "history_years"))
    if 12 * years + 3 > LOOKBACK_MONTHS:
        raise ValueError(f"W01 history_years {years} reads past the stored-history lookback")
    found = _unusual(
        ctx,
        years,
        int(ctx.threshold("W01", "min_history_years")),
        ctx.threshold("W01", "mad_scale"),
        ctx.threshold("W01", "max_abs_robust_z"),
    )
    if not found:
        return 0
    # Only the findings stored are sent back, in report order (row, then series and period).
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    stored = found[: ctx.cap]
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
    finding = value_finding_sql(ctx, message)
    select = f"""
    SELECT {finding}
    FROM (SELECT c.*, u.n, u.med, u.z
          FROM unnest(%(f_series)s::text[], %(f_month)s::int[], %(f_n)s::int[],
                      %(f_med)s::float8[], %(f_z)s::float8[]) AS u(series_id, mi, n, med, z)
          JOIN {SERIES} c ON c.series_id = u.series_id COLLATE "C" AND c.submitted
           AND c.mi = u.mi) r"""
    params = {
        "f_series": [f[1] for f in stored],
        "f_month": [f[2] for f in stored],
        "f_n": [f[3] for f in stored],
        "f_med": [f[4] for f in stored],
        "f_z": [f[5] for f in stored],
        "max_z": ctx.threshold("W01", "max_abs_robust_z"),
    }
    insert_findings(ctx, "W01", select, params)
    return len(found)


def _change_rule(
    ctx: RuleContext, rule_id: str, *, pct: str, pv: str, what: str, where: str
) -> int:
    prefix = {"W02": "max_abs_mom_pct", "W03": "max_abs_yoy_pct"}[rule_id]
    message = (
        f"'OBS_VALUE ' || r.obs_value || ' for ' || r.period_label || ' changes by '"
        f" || {signed(pct)} || '%% on {what} (' || round({pv}::numeric, 3)"
        f" || '), more than ' || ({LIMIT}) || '%% for a ' || {LEVEL}"
        " || ': check the value; if it is right, say why in COMMENT'"
    )
    finding = value_finding_sql(ctx, message)
    select = f"""
    SELECT {finding} FROM {shared(ctx, SERIES)} r
    WHERE r.submitted AND {where} AND abs({pct}) > {LIMIT}"""
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
        pct="r.pct",
        pv="r.pv",
        what="the previous period",
        where="r.adjustment_n IN ('S', 'Y', 'T')",
    )


@rule("W03")
def w03_yoy(ctx: RuleContext) -> int:
    return _change_rule(ctx, "W03", pct="r.pct_year", pv="r.py", what="a year before", where="TRUE")


@rule("W04")
def w04_revision(ctx: RuleContext) -> int:
    pct = "100 * (r.value_n / o.value - 1)"
    message = (
        f"'OBS_VALUE ' || r.obs_value || ' for ' || r.period_label || ' revises the published '"
        f" || o.value || ' by ' || {signed(pct)} || '%%, more than ' || ({LIMIT}) || '%% for a '"
        f" || {LEVEL} || ': confirm the revision (say why in COMMENT) or correct the value'"
    )
    # A row marking a period missing replaces its published value with nothing: the largest
    # revision of all, and one a clerk may not mean (a blank cell in a wide table).
    withdrawn = (
        "'OBS_STATUS ' || r.status_n || ' with no OBS_VALUE for ' || r.period_label"
        " || ' withdraws the published ' || o.value || ': confirm that the value is missing"
        " (say why in COMMENT) or give the value'"
    )
    stored = """JOIN indices_nationalobservation o
      ON o.agency_id = %(agency)s AND o.series_id = (r.series_id COLLATE "default")
     AND o.period_start = r.period_start AND o.base_year = r.base_year"""
    select = f"""
    SELECT {value_finding_sql(ctx, message)}
    FROM {submitted_rows(ctx)} r {stored}
    WHERE r.value_n IS NOT NULL AND o.value > 0 AND abs({pct}) > {LIMIT}
    UNION ALL
    SELECT {value_finding_sql(ctx, withdrawn)}
    FROM indices_submissionrow r {stored}
    WHERE r.submission_id = %(sid)s AND r.obs_value = '' AND r.status_n = ANY(%(missing)s)"""
    params = {
        "divisions": _divisions(ctx),
        "limit_sec": ctx.threshold("W04", "max_revision_pct_section"),
        "limit_div": ctx.threshold("W04", "max_revision_pct_division"),
    }
    return insert_findings(ctx, "W04", select, params)
