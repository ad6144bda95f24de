"""Row rules: each row on its own (E02 row part, E03, E04, E05, E06, E08)."""

from __future__ import annotations

import re

import polars as pl

from countries.models import ConcordanceEntry
from indices.periods import period_label
from indices.validate.rules.base import Row, located, rows_to_locate, rule, store_findings
from indices.validate.rules.context import RuleContext, current_period, value_range
from indices.validate.rules.formatting import quote_literal
from indices.validate.rules.shared import stats_series


def _codes(ctx: RuleContext, codelist_id: str) -> list[str]:
    return [code.code for code in ctx.standard.codelists[codelist_id]]


def _is_missing(ctx: RuleContext) -> pl.Expr:
    """OBS_STATUS is one of the missing statuses (False where it is not a valid status)."""
    return pl.col("status_n").is_in(ctx.missing_statuses).fill_null(False)


@rule("E02")
def e02_activity_or_nat_code(ctx: RuleContext) -> int:
    # A file with a NAT_CODE column only points the clerk there.
    only_nat = "NAT_CODE" in ctx.columns and "ACTIVITY" not in ctx.columns
    rows, total = rows_to_locate(ctx, (pl.col("activity") == "") == (pl.col("nat_code") == ""))
    found = located(
        ctx,
        rows,
        column="NAT_CODE" if only_nat else "ACTIVITY",
        value=pl.when(pl.col("activity") == "")
        .then(pl.lit(""))
        .otherwise(pl.col("activity") + " / " + pl.col("nat_code")),
    )

    def message(row: Row) -> str:
        if row["activity"] == "":
            return (
                "The row has neither ACTIVITY nor NAT_CODE: give an ISIC Rev.4 code in ACTIVITY "
                "(e.g. C) or a code of your national classification in NAT_CODE"
            )
        return (
            f"The row has both ACTIVITY {quote_literal(row['activity'])} and NAT_CODE "
            f"{quote_literal(row['nat_code'])}: give only one of them, the ISIC code in "
            "ACTIVITY or the national code in NAT_CODE"
        )

    return store_findings(ctx, "E02", found, message, total=total)


@rule("E03")
def e03_codes(ctx: RuleContext) -> int:
    isic = _codes(ctx, "CL_ACTIVITY_ISIC4")
    activity = pl.col("activity")
    # An ISIC code as written (any case), or a division 05-09 without the zero Excel drops.
    # Decided once per distinct ACTIVITY text (a million rows have a few dozen), not per row.
    bad_activities = (
        ctx.rows.select(activity.unique())
        .filter(
            (activity != "")
            & ~(
                activity.str.to_uppercase().is_in(isic)
                | (activity.str.contains(r"^[0-9]$") & (pl.lit("0") + activity).is_in(isic))
            )
        )
        .get_column("activity")
    )
    bad_activity = activity.is_in(bad_activities.implode())
    # One finding per bad column of a row, each part with its own column and value (the raw
    # text of that column).
    parts = [
        ("ACTIVITY", bad_activity),
        (
            "NAT_CODE",
            (pl.col("nat_code") != "") & (activity == "") & pl.col("activity_n").is_null(),
        ),
        ("ADJUSTMENT", pl.col("adjustment_n").is_null()),
        ("FREQ", pl.col("freq_n").is_null()),
        ("OBS_STATUS", pl.col("status_n").is_null()),
    ]
    located_parts, total = [], 0
    for column, condition in parts:
        rows, count = rows_to_locate(ctx, condition)
        located_parts.append(located(ctx, rows, column=column, value=column.lower()))
        total += count
    found = pl.concat(located_parts)
    nat_code_found = (found["column"] == "NAT_CODE").any()
    # The country's classifications with a concordance, read once (only if a NAT_CODE is cited).
    classifications = (
        sorted(
            set(
                ConcordanceEntry.objects.filter(
                    version__classification__country_id=ctx.country_code
                ).values_list("version__classification_id", flat=True)
            )
        )
        if nat_code_found
        else []
    )
    adjustments = ", ".join(_codes(ctx, "CL_ADJUSTMENT"))
    statuses = ", ".join(_codes(ctx, "CL_OBS_STATUS"))

    def message(row: Row) -> str:
        column = row["column"]
        value = quote_literal(row["value"])
        if column == "ACTIVITY":
            return (
                f"ACTIVITY {value} is not in CL_ACTIVITY_ISIC4: use a section B, C, D or E, a "
                "division 05 to 39, or B-E / B_C; a national code goes in NAT_CODE"
            )
        if column == "NAT_CODE":
            if classifications:
                return (
                    f"NAT_CODE {value} is not in the concordance of {', '.join(classifications)}"
                    ": check the code, or ask the secretariat to add it to the concordance"
                )
            return (
                f"NAT_CODE {value} cannot be mapped: {ctx.country_code} has no concordance of its "
                "national classification to ISIC yet. Ask the secretariat to load it, or report "
                "ISIC codes in ACTIVITY"
            )
        if column == "ADJUSTMENT":
            return (
                f"ADJUSTMENT {value} is not in CL_ADJUSTMENT: use {adjustments}, or leave it "
                "empty for N"
            )
        if column == "FREQ":
            return (
                f"FREQ {value} is not accepted in an upload: use M (monthly) or Q (quarterly), "
                "or leave it empty for M; annual values are derived"
            )
        return (
            f"OBS_STATUS {value} is not in CL_OBS_STATUS: use {statuses}, or leave it empty for A"
        )

    return store_findings(ctx, "E03", found, message, total=total)


@rule("E04")
def e04_ref_area(ctx: RuleContext) -> int:
    rows, total = rows_to_locate(ctx, pl.col("area_n") != ctx.country_code)
    found = located(ctx, rows, column="REF_AREA", value="ref_area")

    def message(row: Row) -> str:
        if row["ref_area"] == "":
            return f"REF_AREA is empty: write {ctx.country_code}"
        return (
            f"REF_AREA {quote_literal(row['ref_area'])} is not your country: {ctx.agency_id} "
            f"reports {ctx.country_code} only; write {ctx.country_code}"
        )

    return store_findings(ctx, "E04", found, message, total=total)


# A quarter written where a month is expected, and the reverse (ASCII digits, ASCII
# case-insensitive letters, matched against the whole text).
_QUARTER_TEXT = re.compile(r"[0-9]{4}-?Q[1-4]", re.IGNORECASE | re.ASCII)
_MONTH_TEXT = re.compile(r"[0-9]{4}(-|M|-M)[0-9]{2}", re.IGNORECASE | re.ASCII)


@rule("E05")
def e05_time_period(ctx: RuleContext) -> int:
    rows, total = rows_to_locate(
        ctx,
        pl.col("freq_n").is_not_null()
        & (pl.col("period_start").is_null() | (pl.col("period_start") > current_period(ctx))),
    )
    found = located(ctx, rows, column="TIME_PERIOD", value="time_period")

    def message(row: Row) -> str:
        freq_n, time_period = row["freq_n"], row["time_period"]
        quoted = quote_literal(time_period)
        if row["period_start"] is not None:
            current = ctx.current_quarter if freq_n == "Q" else ctx.current_month
            return (
                f"TIME_PERIOD {row['period_label']} is later than the current period "
                f"{period_label(freq_n, current)}: only periods that have started can be "
                "reported; check the year and the month"
            )
        if time_period == "":
            example = "2024-Q1" if freq_n == "Q" else "2024-01"
            return f"TIME_PERIOD is empty: give the period, e.g. {example}"
        if freq_n == "M" and _QUARTER_TEXT.fullmatch(time_period):
            empty_freq = " (an empty FREQ means M)" if row["freq"] == "" else ""
            return (
                f"TIME_PERIOD {quoted} is a quarter but FREQ is M{empty_freq}: set FREQ to Q on "
                "this row, or give a month such as 2024-01"
            )
        if freq_n == "Q" and _MONTH_TEXT.fullmatch(time_period):
            return (
                f"TIME_PERIOD {quoted} is a month but FREQ is Q: set FREQ to M on this row (or "
                "leave it empty), or give a quarter such as 2024-Q1"
            )
        if freq_n == "Q":
            return (
                f"TIME_PERIOD {quoted} is not a quarter (FREQ Q): write 2024-Q1 (also accepted: "
                "2024Q1)"
            )
        return (
            f"TIME_PERIOD {quoted} is not a month (FREQ M): write 2024-01 (also accepted: "
            "2024M01, 2024-M01)"
        )

    return store_findings(ctx, "E05", found, message, total=total)


# OBS_VALUEs written the European way, each told how to write it instead: 1,234 (either a
# decimal comma or a thousands separator: told both ways), 121,4 (a decimal comma), 1,234.5 (a
# thousands separator) and 1.234,5 (both). Tried in this order, with ASCII digits, against the
# whole text.
_ONE_COMMA = re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_THOUSANDS_COMMA = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?")
_THOUSANDS_POINT = re.compile(r"[+-]?[0-9]{1,3}([.][0-9]{3})+,[0-9]+")
# NaN and infinities, which a float parser reads but an index level cannot be.
_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE | re.ASCII)


@rule("E06")
def e06_obs_value(ctx: RuleContext) -> int:
    is_missing = _is_missing(ctx)
    empty = pl.col("obs_value") == ""
    rows, total = rows_to_locate(
        ctx,
        (empty & ~is_missing)
        | (
            ~empty
            & (
                is_missing
                | pl.col("value_n").is_null()
                | ~pl.col("value_n").is_between(ctx.min_value, ctx.max_value)
            )
        ),
    )
    found = located(ctx, rows, column="OBS_VALUE", value="obs_value")
    missing_list = ", ".join(ctx.missing_statuses)
    missing = set(ctx.missing_statuses)
    accepted = value_range(ctx)

    def message(row: Row) -> str:
        text, value_n = row["obs_value"], row["value_n"]
        quoted = quote_literal(text)
        if text == "":
            return (
                "OBS_VALUE is empty: give the index value, or mark the observation as missing "
                f"with OBS_STATUS {missing_list}"
            )
        if row["status_n"] in missing:
            return (
                f"OBS_VALUE {quoted} is given with OBS_STATUS {row['status_n']}, which means "
                "missing: remove the value or correct the status"
            )
        if value_n is None:
            if _NOT_FINITE.fullmatch(text):
                return (
                    f"OBS_VALUE {quoted} is not a finite number: give the index value, or leave "
                    f"it empty with OBS_STATUS {missing_list}"
                )
            if _ONE_COMMA.fullmatch(text):
                return (
                    f"OBS_VALUE {quoted} has a comma: write {text.replace(',', '.')} if it is a "
                    f"decimal comma, or {text.replace(',', '')} if it separates thousands (use "
                    "a decimal point and no thousands separator)"
                )
            if _DECIMAL_COMMA.fullmatch(text):
                return (
                    f"OBS_VALUE {quoted} has a decimal comma: use a decimal point, write "
                    f"{text.replace(',', '.')}"
                )
            if _THOUSANDS_COMMA.fullmatch(text):
                return (
                    f"OBS_VALUE {quoted} has a thousands separator: remove it, write "
                    f"{text.replace(',', '')}"
                )
            if _THOUSANDS_POINT.fullmatch(text):
                return (
                    f"OBS_VALUE {quoted} has a thousands separator and a decimal comma: write "
                    f"{text.replace('.', '').replace(',', '.')}"
                )
            return (
                f"OBS_VALUE {quoted} is not a number: use a point for decimals and no "
                "thousands separator, e.g. 1234.5"
            )
        if value_n <= 0:
            return (
                f"OBS_VALUE {quoted} is not above 0: an index level is positive; give the index "
                "value, not a change in percent"
            )
        return (
            f"OBS_VALUE {quoted} is not a plausible index level (the exchange accepts "
            f"{accepted}): check the value and its decimal point"
        )

    return store_findings(ctx, "E06", found, message, total=total)


@rule("E08")
def e08_base_per(ctx: RuleContext) -> int:
    in_range = pl.col("base_year").is_between(ctx.min_year, ctx.max_year)
    bad_rows, total = rows_to_locate(ctx, pl.col("base_year").is_null() | ~in_range)
    bad_year = located(ctx, bad_rows, column="BASE_PER", value="base_per")
    # One series has one base year: rows differing from the series' first row are cited, in
    # the series whose rows give more than one.
    mixed_series = stats_series(ctx, pl.col("min_base") != pl.col("max_base"))
    found = bad_year
    if mixed_series.len():
        # The series' first row: the lowest row number, the first in the file among equals.
        lowest_row = pl.col("row_no").arg_min()
        mixed = (
            ctx.rows.filter(
                pl.col("series_id").is_not_null()
                & in_range
                & pl.col("series_id").is_in(mixed_series.implode())
            )
            .with_columns(
                first_year=pl.col("base_year").get(lowest_row).over("series_id"),
                first_row=pl.col("row_no").get(lowest_row).over("series_id"),
            )
            .filter(pl.col("base_year") != pl.col("first_year"))
        )
        found = pl.concat(
            [bad_year, located(ctx, mixed, column="BASE_PER", value="base_per")],
            how="diagonal",
        )
        total += mixed.height

    def message(row: Row) -> str:
        if row.get("first_row") is not None:
            return (
                f"BASE_PER {row['base_year']} differs from {row['first_year']} on row "
                f"{row['first_row']} of the same series {row['series_id']}: a series has one "
                "base year in a submission; send data on another base in a separate submission"
            )
        if row["base_year"] is None:
            return (
                f"BASE_PER {quote_literal(row['base_per'])} is not a year: give the national "
                "base year as four digits, e.g. 2021"
            )
        return (
            f"BASE_PER {row['base_year']} is outside {ctx.min_year}-{ctx.max_year}: give the "
            "national base year of the series"
        )

    return store_findings(ctx, "E08", found, message, total=total)
