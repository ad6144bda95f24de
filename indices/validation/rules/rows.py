"""Row rules: each row on its own (E02 row part, E03, E04, E05, E06, E08)."""

from __future__ import annotations

import polars as pl

from indices.validation.rules.base import Row, located, rule, store_findings
from indices.validation.rules.context import RuleContext
from indices.validation.rules.formatting import quote_literal


@rule("E04")
def e04_ref_area(ctx: RuleContext) -> int:
    found = located(
        ctx,
        ctx.rows.filter(pl.col("ref_area").str.to_uppercase() != ctx.country_code),
        column="REF_AREA",
        value="ref_area",
    )

    def message(row: Row) -> str:
        if row["ref_area"] == "":
            return f"REF_AREA is empty: write {ctx.country_code}"
        return (
            f"REF_AREA {quote_literal(row['ref_area'])} is not your country: {ctx.agency_id} "
            f"reports {ctx.country_code} only; write {ctx.country_code}"
        )

    return store_findings(ctx, "E04", found, message)
