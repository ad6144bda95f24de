"""Aggregate consistency: W09, a section against the weighted mean of all its divisions."""

from __future__ import annotations

from indices.validation.rules.base import (
    VALID_ROWS,
    RuleContext,
    finding_sql,
    insert_findings,
    rule,
)


def _weighted_divisions(ctx: RuleContext) -> list[tuple[str, str, float]]:
    """(division, section, weight) of the sections whose every division has a weight."""
    divisions: dict[str, list[str]] = {}
    for code in ctx.standard.codelists["CL_ACTIVITY_ISIC4"]:
        if code.parent:
            divisions.setdefault(code.parent, []).append(code.code)
    return [
        (division, section, float(ctx.division_weights[division]))
        for section, codes in divisions.items()
        if all(ctx.division_weights.get(code) is not None for code in codes)
        for division in codes
    ]


@rule("W09")
def w09_section_vs_divisions(ctx: RuleContext) -> int:
    weighted = _weighted_divisions(ctx)
    if not weighted:
        return 0  # no section has weights for all its divisions: nothing to compare
    message = (
        "r.activity_n || ' ' || r.period_label || ' is ' || r.obs_value || ' but the weighted'"
        " || ' mean of its ' || r.n || ' divisions is ' || round(r.wmean::numeric, 2)"
        " || ' (difference ' || round(abs(r.value_n - r.wmean)::numeric, 2) || ' index points,'"
        " || ' more than ' || %(max_diff)s || '): check the section and its divisions; they'"
        " || ' should be on the same base and the section their weighted mean'"
    )
    finding = finding_sql(
        ctx,
        column="OBS_VALUE",
        value="r.obs_value",
        message=message,
        series_key="r.series_id",
        time_period="r.period_label",
    )
    # Only rows that give ISIC codes directly: national codes are combined into ISIC divisions
    # by harmonization (H1), with concordance weights that are not known here.
    select = f"""
    WITH sub AS MATERIALIZED ({VALID_ROWS}),
    d AS (
        SELECT * FROM unnest(%(codes)s::text[], %(sections)s::text[], %(weights)s::float8[])
            AS d(code, section, weight)
    ),
    need AS (SELECT d.section, count(*) AS n FROM d GROUP BY d.section),
    x AS (
        SELECT s.*, d.code IS NOT NULL AS is_division, d.weight,
               COALESCE(d.section, s.activity_n) AS section
        FROM sub s LEFT JOIN d ON d.code = s.activity_n
        WHERE s.nat_code = '' AND s.value_n IS NOT NULL
          AND (d.code IS NOT NULL OR s.activity_n IN (SELECT section FROM need))
    ),
    -- Windows over (freq, adjustment, period, section) put each section row beside its
    -- divisions' weighted mean without a join back.
    a AS (
        SELECT x.*,
               count(*) FILTER (WHERE x.is_division) OVER g AS n,
               sum(x.weight * x.value_n) FILTER (WHERE x.is_division) OVER g
               / NULLIF(sum(x.weight) FILTER (WHERE x.is_division) OVER g, 0) AS wmean
        FROM x
        WINDOW g AS (PARTITION BY x.freq_n, x.adjustment_n, x.period_start, x.section)
    )
    SELECT {finding}
    FROM a r JOIN need ON need.section = r.section AND need.n = r.n
    WHERE NOT r.is_division AND abs(r.value_n - r.wmean) > %(max_diff)s"""
    params = {
        "codes": [w[0] for w in weighted],
        "sections": [w[1] for w in weighted],
        "weights": [w[2] for w in weighted],
        "max_diff": ctx.threshold("W09", "max_points_difference"),
    }
    return insert_findings(ctx, "W09", select, params)
