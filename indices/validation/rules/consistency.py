"""Aggregate consistency: W09, a section against the weighted mean of all its divisions."""

from __future__ import annotations

from indices.validation.rules.base import insert_findings, rule, value_finding_sql
from indices.validation.rules.context import RuleContext
from indices.validation.rules.shared import submitted_rows


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
    # A section given by several national codes is their weighted mean (H1): say so.
    section_value = (
        "CASE WHEN r.direct OR r.k = 1 THEN r.obs_value ELSE round(r.isic_v::numeric, 3)"
        " || ' (weighted mean of its ' || r.k || ' national codes)' END"
    )
    message = (
        f"r.activity_n || ' ' || r.period_label || ' is ' || {section_value}"
        " || ' but the weighted mean of its ' || r.n"
        " || CASE WHEN r.n = 1 THEN ' division is ' ELSE ' divisions is ' END"
        " || round(r.wmean::numeric, 2) || ' (difference '"
        " || round(abs(r.isic_v - r.wmean)::numeric, 2) || ' index points,'"
        " || ' more than ' || %(max_diff)s || '): check the section and its divisions; they'"
        " || ' should be on the same base and the section their weighted mean'"
    )
    finding = value_finding_sql(ctx, message)
    # An ISIC code's value for a period: the row giving it in ACTIVITY, else its one national
    # code, else the weighted mean of its national codes with their concordance weights (H1;
    # none when a weight is missing). Only periods where a section is given are read.
    select = f"""
    WITH d AS (
        SELECT * FROM unnest(%(codes)s::text[], %(sections)s::text[], %(weights)s::float8[])
            AS d(code, section, weight)
    ),
    need AS (SELECT d.section, count(*) AS n FROM d GROUP BY d.section),
    nw AS (
        SELECT * FROM unnest(%(nat_codes)s::text[], %(nat_weights)s::float8[]) AS nw(code, weight)
    ),
    sec AS MATERIALIZED (
        SELECT DISTINCT s.freq_n, s.adjustment_n, s.period_start, s.activity_n AS section
        FROM {submitted_rows(ctx)} s
        WHERE s.value_n IS NOT NULL AND s.activity_n IN (SELECT section FROM need)
    ),
    codes AS (
        SELECT d.code, d.section, d.weight, TRUE AS is_division FROM d
        UNION ALL
        SELECT need.section, need.section, NULL, FALSE FROM need
    ),
    x AS (
        SELECT s.*, c.section, c.is_division, c.weight, nw.weight AS nat_weight
        FROM {submitted_rows(ctx)} s JOIN codes c ON c.code = s.activity_n
        JOIN sec ON sec.freq_n = s.freq_n AND sec.adjustment_n = s.adjustment_n
         AND sec.period_start = s.period_start AND sec.section = c.section
        LEFT JOIN nw ON s.nat_code <> '' AND nw.code = s.nat_code
        WHERE s.value_n IS NOT NULL
    ),
    isic AS (
        SELECT x.*,
               row_number() OVER (g ORDER BY x.nat_code <> '', x.row_no) AS rk,
               count(*) OVER g AS k, count(x.nat_weight) OVER g AS kw,
               bool_or(x.nat_code = '') OVER g AS direct,
               sum(x.nat_weight * x.value_n) OVER g / NULLIF(sum(x.nat_weight) OVER g, 0) AS wv
        FROM x
        WINDOW g AS (PARTITION BY x.freq_n, x.adjustment_n, x.period_start, x.activity_n)
    ),
    iv AS (
        SELECT i.*, CASE WHEN i.direct OR i.k = 1 THEN i.value_n
                         WHEN i.kw = i.k THEN i.wv END AS isic_v
        FROM isic i WHERE i.rk = 1
    ),
    -- Windows over (freq, adjustment, period, section) put each section beside its
    -- divisions' weighted mean without a join back.
    a AS (
        SELECT x.*,
               count(*) FILTER (WHERE x.is_division) OVER g AS n,
               sum(x.weight * x.isic_v) FILTER (WHERE x.is_division) OVER g
               / NULLIF(sum(x.weight) FILTER (WHERE x.is_division) OVER g, 0) AS wmean
        FROM iv x WHERE x.isic_v IS NOT NULL
        WINDOW g AS (PARTITION BY x.freq_n, x.adjustment_n, x.period_start, x.section)
    )
    SELECT {finding}
    FROM a r JOIN need ON need.section = r.section AND need.n = r.n
    WHERE NOT r.is_division AND abs(r.isic_v - r.wmean) > %(max_diff)s"""
    national = sorted(ctx.national_weights.items())
    params = {
        "codes": [w[0] for w in weighted],
        "sections": [w[1] for w in weighted],
        "weights": [w[2] for w in weighted],
        "nat_codes": [code for code, _ in national],
        "nat_weights": [float(weight) for _, weight in national],
        "max_diff": ctx.threshold("W09", "max_points_difference"),
    }
    return insert_findings(ctx, "W09", select, params)
