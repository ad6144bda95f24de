"""Aggregate consistency: W09, a section against the weighted mean of all its divisions.

Only sections whose every division has a national weight (ctx.division_weights) are compared,
per frequency, adjustment and period where the section is submitted with a value, and only
when every division has a value there too. An ISIC code's value for a period is the row giving
it in ACTIVITY, else its one national code, else the weighted mean of its national codes with
their concordance weights (H1, ctx.national_weights; none when a weight is missing).

Most rows of a large submission are national codes, each a row of some ISIC code and period:
the rows are reduced to integer keys (period, ISIC code, section) before they are sorted and
grouped, several times faster than by the text columns, and the text of a finding is read
back only for the sections found.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from indices.validate.normalize import UPLOAD_FREQS
from indices.validate.rules.base import Row, rule, store_findings, value_located
from indices.validate.rules.context import RuleContext
from indices.validate.rules.formatting import float_text, rounded
from indices.validate.rules.shared import submitted_rows

# What a finding shows of the section's row (value_located and the message).
FINDING_COLUMNS = [
    "row_no",
    "sheet",
    "value_cell",
    "obs_value",
    "series_id",
    "period_label",
    "activity_n",
]


@dataclass(frozen=True)
class Codes:
    """The ISIC codes compared: the sections whose every division has a weight, and those
    divisions. A code is known by its position in `codes` (text order, as PostgreSQL sorted
    them), a section also by its position in `sections`."""

    codes: list[str]
    sections: list[str]
    section_of: list[int]  # per code: its section's position in `sections`
    weight: list[float | None]  # per code: a division's weight; None for a section
    divisions: list[int]  # per code: a section's number of divisions; 0 for a division

    @classmethod
    def weighted(cls, ctx: RuleContext) -> Codes | None:
        """The codes compared for ctx's division weights; None when no section has all."""
        divisions: dict[str, list[str]] = {}
        for code in ctx.standard.codelists["CL_ACTIVITY_ISIC4"]:
            if code.parent:
                divisions.setdefault(code.parent, []).append(code.code)
        complete = {
            section: codes
            for section, codes in divisions.items()
            if all(ctx.division_weights.get(code) is not None for code in codes)
        }
        if not complete:
            return None
        section_of = {code: section for section, codes in complete.items() for code in codes}
        sections = sorted(complete)
        codes = sorted([*section_of, *sections])
        return cls(
            codes=codes,
            sections=sections,
            section_of=[sections.index(section_of.get(code, code)) for code in codes],
            weight=[
                float(ctx.division_weights[code]) if code in section_of else None for code in codes
            ],
            divisions=[len(complete.get(code, ())) for code in codes],
        )

    def of(self, values: list, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
        """values[code] for the column `code` of code positions."""
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("code"))

    def section(self) -> pl.Expr:
        """The position of the column `code`'s section in `sections`."""
        return self.of(self.section_of, pl.Int64)

    def month_section(self) -> pl.Expr:
        """(month, section) as one integer."""
        return pl.col("mi").cast(pl.Int64) * len(self.sections) + self.section()

    def is_section(self) -> pl.Expr:
        """The column `code` is a section's."""
        return self.of([code in self.sections for code in self.codes], pl.Boolean)


def _period_key(ctx: RuleContext) -> pl.Expr:
    """(frequency, adjustment, period) as one integer."""
    freqs = sorted(UPLOAD_FREQS)
    adjustments = sorted(ctx.standard.codes("CL_ADJUSTMENT"))
    freq = pl.col("freq_n").cast(pl.Enum(freqs)).to_physical().cast(pl.Int64)
    adjustment = pl.col("adjustment_n").cast(pl.Enum(adjustments)).to_physical().cast(pl.Int64)
    return (pl.col("mi").cast(pl.Int64) * len(freqs) + freq) * len(adjustments) + adjustment


def _national_weight(ctx: RuleContext) -> pl.Expr:
    """A row's national code's concordance weight; none for a row giving its ISIC code in
    ACTIVITY (no national code)."""
    codes = [code for code in ctx.national_weights if code]
    weights = pl.Series([float(ctx.national_weights[code]) for code in codes], dtype=pl.Float64)
    position = pl.col("nat_code").cast(pl.Enum(codes), strict=False).to_physical()
    return pl.lit(weights).gather(position)


def _where_section_given(rows: pl.DataFrame, codes: Codes) -> pl.DataFrame:
    """The rows whose key `section` is also that of a row of the section itself."""
    given = rows.filter(codes.is_section())["section"].unique()
    return rows.filter(pl.col("section").is_in(given.implode()))


def _sum_in_order(expr: pl.Expr) -> pl.Expr:
    """The sum of `expr` over a group, added up in row order as PostgreSQL's sum(float8) does
    (polars' grouped sum adds in another order, which may change the last bit); nulls are
    skipped. A group of nulls only sums to 0: the caller tells it from a real 0 by a count."""
    return expr.fill_null(0.0).cum_sum().last()


def _weighted_mean(value: str, weight: str) -> pl.Expr:
    """sum(weight * value) / NULLIF(sum(weight), 0) over a group, in row order."""
    total_weight = _sum_in_order(pl.col(weight))
    return pl.when(pl.col(weight).count() > 0, total_weight != 0).then(
        _sum_in_order(pl.col(weight) * pl.col(value)) / total_weight
    )


def _isic_values(ctx: RuleContext, submitted: pl.DataFrame, codes: Codes) -> pl.DataFrame:
    """The value `isic_v` of each of `codes` per frequency, adjustment and period where its
    section is submitted with a value: one row per ISIC code and period, with k (the number
    of rows giving it), `direct` (one gives it in ACTIVITY) and `index`, the position in
    `submitted` of the row giving it (the one in ACTIVITY, else the first)."""
    rows = (
        submitted.with_row_index("index")
        .select(
            "index",
            "row_no",
            "value_n",
            "mi",
            "freq_n",
            "adjustment_n",
            "nat_code",
            code=pl.col("activity_n").cast(pl.Enum(codes.codes), strict=False).to_physical(),
        )
        .filter(pl.col("code").is_not_null(), pl.col("value_n").is_not_null())
        .with_columns(section=codes.month_section())
    )
    # Only the periods where a section is given are read: first by month, on the integers at
    # hand (most rows of other sections go here), then by frequency, adjustment and month.
    rows = _where_section_given(rows, codes).with_columns(period=_period_key(ctx))
    rows = _where_section_given(
        rows.with_columns(section=pl.col("period") * len(codes.sections) + codes.section()),
        codes,
    ).with_columns(group=pl.col("period") * len(codes.codes) + pl.col("code"))
    return (
        rows.select(
            "group",
            "section",
            "code",
            "index",
            "row_no",
            "value_n",
            is_nat=pl.col("nat_code") != "",
            nat_weight=_national_weight(ctx),
        )
        # The rows of an ISIC code in the order PostgreSQL ranked and added them: the row in
        # ACTIVITY first, then by row number.
        .sort("group", "is_nat", "row_no", maintain_order=True)
        .group_by("group", maintain_order=True)
        .agg(
            pl.col("section", "code", "index", "value_n").first(),
            direct=~pl.col("is_nat").first(),
            k=pl.len(),
            kw=pl.col("nat_weight").count(),
            wv=_weighted_mean("value_n", "nat_weight"),
        )
        .with_columns(
            isic_v=pl.when(pl.col("direct") | (pl.col("k") == 1))
            .then(pl.col("value_n"))
            .when(pl.col("kw") == pl.col("k"))
            .then(pl.col("wv"))
        )
        .filter(pl.col("isic_v").is_not_null())
    )


@rule("W09")
def w09_section_vs_divisions(ctx: RuleContext) -> int:
    codes = Codes.weighted(ctx)
    if codes is None:
        return 0  # no section has weights for all its divisions: nothing to compare
    submitted = submitted_rows(ctx)
    values = _isic_values(ctx, submitted, codes)
    # The divisions of each section and period, added up in code order: PostgreSQL's order
    # when one section of the period is compared (with several, its unstable sort's order).
    means = (
        values.filter(~codes.is_section())
        .with_columns(weight=codes.of(codes.weight, pl.Float64))
        .group_by("section", maintain_order=True)
        .agg(n=pl.len(), wmean=_weighted_mean("isic_v", "weight"))
    )
    max_diff = ctx.threshold("W09", "max_points_difference")
    off = (
        values.filter(codes.is_section())
        .join(means, on="section")
        .filter(
            pl.col("n") == codes.of(codes.divisions, pl.UInt32),
            (pl.col("isic_v") - pl.col("wmean")).abs() > max_diff,
        )
        .select("index", "isic_v", "wmean", "n", "k", "direct")
    )
    found = submitted.select(pl.col(FINDING_COLUMNS).gather(off["index"])).hstack(off)

    def message(row: Row) -> str:
        # A section given by several national codes is their weighted mean (H1): say so.
        if row["direct"] or row["k"] == 1:
            section_value = row["obs_value"]
        else:
            section_value = (
                f"{rounded(row['isic_v'], 3)} (weighted mean of its {row['k']} national codes)"
            )
        divisions_are = "division is" if row["n"] == 1 else "divisions is"
        return (
            f"{row['activity_n']} {row['period_label']} is {section_value} but the weighted mean "
            f"of its {row['n']} {divisions_are} {rounded(row['wmean'], 2)} (difference "
            f"{rounded(abs(row['isic_v'] - row['wmean']), 2)} index points, more than "
            f"{float_text(max_diff)}): check the section and its divisions; they should be on "
            "the same base and the section their weighted mean"
        )

    return store_findings(ctx, "W09", value_located(ctx, found), message)
