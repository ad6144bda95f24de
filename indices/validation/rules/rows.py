"""Row rules: each staged row on its own (E02 row part, E03, E04, E05, E06, E08)."""

from __future__ import annotations

from countries.models import ConcordanceEntry
from indices.validation.rules.base import finding_sql, insert_findings, label, rule
from indices.validation.rules.context import RuleContext
from indices.validation.rules.shared import ISSUES, shared, stats_params, stats_series

# The row rules read only the rows that may break one of them (see ISSUES).
ROWS_FROM = f"FROM {ISSUES} r WHERE r.submission_id = %(sid)s"


def _issues(ctx: RuleContext) -> None:
    """Builds ISSUES for this run, if it is not yet (every row rule reads it)."""
    shared(ctx, ISSUES)


def _codes(ctx: RuleContext, codelist_id: str) -> list[str]:
    return [code.code for code in ctx.standard.codelists[codelist_id]]


@rule("E02")
def e02_activity_or_nat_code(ctx: RuleContext) -> int:
    _issues(ctx)
    # A file with a NAT_CODE column only points the clerk there.
    only_nat = "NAT_CODE" in ctx.columns and "ACTIVITY" not in ctx.columns
    column = "NAT_CODE" if only_nat else "ACTIVITY"
    message = """CASE WHEN r.activity = ''
        THEN 'The row has neither ACTIVITY nor NAT_CODE: give an ISIC Rev.4 code in ACTIVITY '
             || '(e.g. C) or a code of your national classification in NAT_CODE'
        ELSE 'The row has both ACTIVITY ' || quote_literal(r.activity) || ' and NAT_CODE '
             || quote_literal(r.nat_code) || ': give only one of them, the ISIC code in '
             || 'ACTIVITY or the national code in NAT_CODE' END"""
    value = "CASE WHEN r.activity = '' THEN '' ELSE r.activity || ' / ' || r.nat_code END"
    select = f"""SELECT {finding_sql(ctx, column=column, value=value, message=message)}
        {ROWS_FROM} AND (r.activity = '') = (r.nat_code = '')"""
    return insert_findings(ctx, "E02", select)


@rule("E03")
def e03_codes(ctx: RuleContext) -> int:
    _issues(ctx)
    classifications = sorted(
        set(
            ConcordanceEntry.objects.filter(
                version__classification__country_id=ctx.country_code
            ).values_list("version__classification_id", flat=True)
        )
    )
    if classifications:
        nat_message = (
            "'NAT_CODE ' || quote_literal(r.nat_code) || ' is not in the concordance of "
            f"{', '.join(classifications)}: check the code, or ask the secretariat to add it "
            "to the concordance'"
        )
    else:
        nat_message = (
            "'NAT_CODE ' || quote_literal(r.nat_code) || ' cannot be mapped: "
            f"{ctx.country_code} has no concordance of its national classification to ISIC yet. "
            "Ask the secretariat to load it, or report ISIC codes in ACTIVITY'"
        )
    parts = [
        (
            "ACTIVITY",
            "r.activity",
            """r.activity <> '' AND NOT (upper(r.activity) = ANY(%(isic)s)
                OR (r.activity ~ '^[0-9]$' AND '0' || r.activity = ANY(%(isic)s)))""",
            "'ACTIVITY ' || quote_literal(r.activity) || ' is not in CL_ACTIVITY_ISIC4: use a "
            "section B, C, D or E, a division 05 to 39, or B-E / B_C; a national code goes in "
            "NAT_CODE'",
        ),
        (
            "NAT_CODE",
            "r.nat_code",
            "r.nat_code <> '' AND r.activity = '' AND r.activity_n IS NULL",
            nat_message,
        ),
        (
            "ADJUSTMENT",
            "r.adjustment",
            "r.adjustment_n IS NULL",
            "'ADJUSTMENT ' || quote_literal(r.adjustment) || ' is not in CL_ADJUSTMENT: use '"
            " || %(adjustments)s || ', or leave it empty for N'",
        ),
        (
            "FREQ",
            "r.freq",
            "r.freq_n IS NULL",
            "'FREQ ' || quote_literal(r.freq) || ' is not accepted in an upload: use M (monthly)"
            " or Q (quarterly), or leave it empty for M; annual values are derived'",
        ),
        (
            "OBS_STATUS",
            "r.obs_status",
            "r.status_n IS NULL",
            "'OBS_STATUS ' || quote_literal(r.obs_status) || ' is not in CL_OBS_STATUS: use '"
            " || %(statuses)s || ', or leave it empty for A'",
        ),
    ]
    select = " UNION ALL ".join(
        f"SELECT {finding_sql(ctx, column=column, value=value, message=message)} "
        f"{ROWS_FROM} AND {condition}"
        for column, value, condition, message in parts
    )
    params = {
        "isic": _codes(ctx, "CL_ACTIVITY_ISIC4"),
        "adjustments": ", ".join(_codes(ctx, "CL_ADJUSTMENT")),
        "statuses": ", ".join(_codes(ctx, "CL_OBS_STATUS")),
    }
    return insert_findings(ctx, "E03", select, params)


@rule("E04")
def e04_ref_area(ctx: RuleContext) -> int:
    _issues(ctx)
    message = """CASE WHEN r.ref_area = ''
        THEN 'REF_AREA is empty: write ' || %(country)s
        ELSE 'REF_AREA ' || quote_literal(r.ref_area) || ' is not your country: '
             || %(agency)s || ' reports ' || %(country)s || ' only; write ' || %(country)s END"""
    select = f"""SELECT {finding_sql(ctx, column="REF_AREA", value="r.ref_area", message=message)}
        {ROWS_FROM} AND upper(r.ref_area) <> %(country)s"""
    return insert_findings(ctx, "E04", select)


@rule("E05")
def e05_time_period(ctx: RuleContext) -> int:
    _issues(ctx)
    current = (
        "CASE r.freq_n WHEN 'Q' THEN %(current_quarter)s::date ELSE %(current_month)s::date END"
    )
    message = f"""CASE
        WHEN r.period_start IS NOT NULL
        THEN 'TIME_PERIOD ' || r.period_label || ' is later than the current period '
             || {label(current)} || ': only periods that have started can be reported; '
             || 'check the year and the month'
        WHEN r.time_period = '' THEN 'TIME_PERIOD is empty: give the period, e.g. '
             || CASE r.freq_n WHEN 'Q' THEN '2024-Q1' ELSE '2024-01' END
        WHEN r.freq_n = 'M' AND r.time_period ~* '^[0-9]{{4}}-?Q[1-4]$'
        THEN 'TIME_PERIOD ' || quote_literal(r.time_period) || ' is a quarter but FREQ is M'
             || CASE WHEN r.freq = '' THEN ' (an empty FREQ means M)' ELSE '' END
             || ': set FREQ to Q on this row, or give a month such as 2024-01'
        WHEN r.freq_n = 'Q' AND r.time_period ~* '^[0-9]{{4}}(-|M|-M)[0-9]{{2}}$'
        THEN 'TIME_PERIOD ' || quote_literal(r.time_period) || ' is a month but FREQ is Q: '
             || 'set FREQ to M on this row (or leave it empty), or give a quarter such as 2024-Q1'
        WHEN r.freq_n = 'Q'
        THEN 'TIME_PERIOD ' || quote_literal(r.time_period) || ' is not a quarter (FREQ Q): '
             || 'write 2024-Q1 (also accepted: 2024Q1)'
        ELSE 'TIME_PERIOD ' || quote_literal(r.time_period) || ' is not a month (FREQ M): '
             || 'write 2024-01 (also accepted: 2024M01, 2024-M01)' END"""
    finding = finding_sql(ctx, column="TIME_PERIOD", value="r.time_period", message=message)
    select = f"""SELECT {finding}
        {ROWS_FROM} AND r.freq_n IS NOT NULL
        AND (r.period_start IS NULL OR r.period_start > {current})"""
    return insert_findings(ctx, "E05", select)


# OBS_VALUEs written the European way, each told how to write it instead: 1,234 (either a
# decimal comma or a thousands separator: told both ways), 121,4 (a decimal comma), 1,234.5 (a
# thousands separator) and 1.234,5 (both). Tried in this order.
_ONE_COMMA = r"'^[+-]?[0-9]{1,3},[0-9]{3}$'"
_DECIMAL_COMMA = r"'^[+-]?[0-9]+,[0-9]+$'"
_THOUSANDS_COMMA = r"'^[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?$'"
_THOUSANDS_POINT = r"'^[+-]?[0-9]{1,3}([.][0-9]{3})+,[0-9]+$'"


@rule("E06")
def e06_obs_value(ctx: RuleContext) -> int:
    _issues(ctx)
    is_missing = "r.status_n = ANY(%(missing)s)"
    message = f"""CASE
        WHEN r.obs_value = ''
        THEN 'OBS_VALUE is empty: give the index value, or mark the observation as missing '
             || 'with OBS_STATUS ' || %(missing_list)s
        WHEN {is_missing}
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' is given with OBS_STATUS '
             || r.status_n || ', which means missing: remove the value or correct the status'
        WHEN r.value_n IS NULL AND r.obs_value ~* '^[+-]?(nan|inf|infinity)$'
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' is not a finite number: give the '
             || 'index value, or leave it empty with OBS_STATUS ' || %(missing_list)s
        WHEN r.value_n IS NULL AND r.obs_value ~ {_ONE_COMMA}
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' has a comma: write '
             || replace(r.obs_value, ',', '.') || ' if it is a decimal comma, or '
             || replace(r.obs_value, ',', '') || ' if it separates thousands (use a decimal '
             || 'point and no thousands separator)'
        WHEN r.value_n IS NULL AND r.obs_value ~ {_DECIMAL_COMMA}
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' has a decimal comma: use a '
             || 'decimal point, write ' || replace(r.obs_value, ',', '.')
        WHEN r.value_n IS NULL AND r.obs_value ~ {_THOUSANDS_COMMA}
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' has a thousands separator: '
             || 'remove it, write ' || replace(r.obs_value, ',', '')
        WHEN r.value_n IS NULL AND r.obs_value ~ {_THOUSANDS_POINT}
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' has a thousands separator and a '
             || 'decimal comma: write ' || replace(replace(r.obs_value, '.', ''), ',', '.')
        WHEN r.value_n IS NULL
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' is not a number: use a point for '
             || 'decimals and no thousands separator, e.g. 1234.5'
        WHEN r.value_n <= 0
        THEN 'OBS_VALUE ' || quote_literal(r.obs_value) || ' is not above 0: an index level is '
             || 'positive; give the index value, not a change in percent'
        ELSE 'OBS_VALUE ' || quote_literal(r.obs_value) || ' is not a plausible index level '
             || '(the exchange accepts ' || %(value_range)s || '): check the value and its '
             || 'decimal point' END"""
    select = f"""SELECT {finding_sql(ctx, column="OBS_VALUE", value="r.obs_value", message=message)}
        {ROWS_FROM} AND (
            (r.obs_value = '' AND (r.status_n IS NULL OR NOT {is_missing}))
            OR (r.obs_value <> '' AND ({is_missing} OR r.value_n IS NULL
                OR r.value_n NOT BETWEEN %(min_value)s AND %(max_value)s)))"""
    return insert_findings(ctx, "E06", select)


@rule("E08")
def e08_base_per(ctx: RuleContext) -> int:
    _issues(ctx)
    bad_year = f"""SELECT {
        finding_sql(
            ctx,
            column="BASE_PER",
            value="r.base_per",
            message=(
                "CASE WHEN r.base_year IS NULL THEN 'BASE_PER ' || quote_literal(r.base_per) "
                "|| ' is not a year: give the national base year as four digits, e.g. 2021' "
                "ELSE 'BASE_PER ' || r.base_year || ' is outside ' || %(min_year)s || '-' "
                "|| %(max_year)s || ': give the national base year of the series' END"
            ),
        )
    } {ROWS_FROM}
        AND (r.base_year IS NULL OR r.base_year NOT BETWEEN %(min_year)s AND %(max_year)s)"""
    # One series has one base year: rows differing from the series' first row are cited, in
    # the series whose rows give more than one.
    mixed = f"""SELECT {
        finding_sql(
            ctx,
            column="BASE_PER",
            value="r.base_per",
            message=(
                "'BASE_PER ' || r.base_year || ' differs from ' || r.first_year || ' on row ' "
                "|| r.first_row || ' of the same series ' || r.series_id || ': a series has one "
                "base year in a submission; send data on another base in a separate submission'"
            ),
        )
    } FROM (
        SELECT s.*, first_value(s.base_year) OVER w AS first_year,
               first_value(s.row_no) OVER w AS first_row
        FROM indices_submissionrow s
        WHERE s.submission_id = %(sid)s AND s.series_id IS NOT NULL
          AND s.base_year BETWEEN %(min_year)s AND %(max_year)s
          AND s.series_id = ANY(%(mixed)s::text[])
        WINDOW w AS (PARTITION BY s.series_id ORDER BY s.row_no)
    ) r WHERE r.base_year <> r.first_year"""
    mixed_series = stats_series(ctx, "t.min_base <> t.max_base")
    params = {**stats_params(ctx), "mixed": mixed_series}
    if not mixed_series:
        return insert_findings(ctx, "E08", bad_year, params)
    return insert_findings(ctx, "E08", f"{bad_year} UNION ALL {mixed}", params)
