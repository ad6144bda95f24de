"""Reading a table's header row: which standard column sits where, which columns are periods
(the wide layout), and the E02 findings for missing, unknown and repeated columns.

Shared by CSV, XLSX and SDMX-CSV so that the same header gets the same verdict in every format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indices.receive.parsing.base import (
    COLUMN_LIST,
    STANDARD_COLUMNS,
    ParseFinding,
    column_letter,
    truncate,
)

# Periods accepted as wide-layout column headers (STANDARD.md section 3). Matched once per
# header cell, never per data row.
_PERIOD_RE = re.compile(r"\d{4}(?:-\d{2}|-?M\d{2}|-?Q[1-4])", re.IGNORECASE)
# Header texts that look like a date or a number: probably a period that Excel reformatted.
_DATE_LIKE_RE = re.compile(r"[\d./\- :]+|[A-Za-z]{3}[- ]\d{2,4}|\d{1,2}[- ][A-Za-z]{3}")

LONG_REQUIRED = ("REF_AREA", "TIME_PERIOD", "OBS_VALUE", "BASE_PER")
# A delete withdraws observations named by series key, base year and period: no values needed.
# (BASE_PER stays: the national store keeps a series' values per base year.)
DELETE_REQUIRED = ("REF_AREA", "TIME_PERIOD", "BASE_PER")
WIDE_REQUIRED = ("REF_AREA", "BASE_PER")
# Observation-level columns have no meaning when each row is a series.
WIDE_FORBIDDEN = ("TIME_PERIOD", "OBS_VALUE", "OBS_STATUS")
_STANDARD = {name: name for name in STANDARD_COLUMNS}


def is_period(text: str) -> bool:
    return _PERIOD_RE.fullmatch(text) is not None


@dataclass
class Table:
    """Where things are in a table; indices are 0-based column positions."""

    layout: str
    header_row: int
    sheet: str
    index: dict[str, int]
    width: int
    blank: tuple[int, ...] = ()
    periods: list[tuple[int, str]] = field(default_factory=list)
    findings: list[ParseFinding] = field(default_factory=list)
    # SDMX-CSV only: the TRANSFORMATION column (must be IX) and NAT_BASE_PER (BASE_PER's stand-in).
    transformation: int = -1
    base_alt: int = -1

    @property
    def columns(self) -> dict[str, str]:
        return {
            name: column_letter(i)
            for name, i in sorted(self.index.items(), key=lambda item: item[1])
            if name in _STANDARD
        }

    def finding(
        self,
        message: str,
        *,
        i: int | None = None,
        column: str = "",
        value: str = "",
        rule_id: str = "E02",
    ) -> ParseFinding:
        """A finding about the header row (about its cell i, when given)."""
        cell = f"{column_letter(i)}{self.header_row}" if i is not None else ""
        return ParseFinding(
            rule_id,
            message,
            row=self.header_row,
            sheet=self.sheet,
            cell=cell,
            column=truncate(column),
            value=truncate(value),
        )


def analyse_header(
    cells: list[str],
    *,
    row_no: int,
    sheet: str = "",
    known: dict[str, str] | None = None,
    allow_periods: bool = True,
) -> Table:
    """Classify every header cell. `known` maps an upper-case header to the name it is filed
    under ("" = understood and ignored, as for SDMX series attributes); by default the
    standard's upload columns."""
    known = _STANDARD if known is None else known
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1  # Excel leaves trailing empty header cells; they are not columns
    table = Table(layout="long", header_row=row_no, sheet=sheet, index={}, width=width)
    blank: list[int] = []
    seen: dict[str, int] = {}
    for i, text in enumerate(cells[:width]):
        name = text.upper()
        if not name:
            blank.append(i)
            continue
        target = known.get(name)
        if target is None and allow_periods and is_period(text):
            table.periods.append((i, text))
            continue
        if target is None:
            table.findings.append(_unknown(table, i, text, allow_periods))
            continue
        key = target or name
        if key in seen:
            first = column_letter(seen[key])
            table.findings.append(
                table.finding(
                    f'Column {column_letter(i)} repeats the column "{text}" already in column '
                    f"{first}; keep only one of them.",
                    i=i,
                    column=key,
                    value=text,
                )
            )
            continue
        seen[key] = i
        if target:
            table.index[target] = i
    table.blank = tuple(blank)
    if table.periods:
        table.layout = "wide"
    return table


def check_required(table: Table, *, base_alt: str = "", action: str = "merge") -> None:
    """Add E02 findings for the columns the layout needs but the header lacks; `base_alt` names
    a column that may stand in for BASE_PER (SDMX's NAT_BASE_PER); `action` is what the
    submission does (a delete needs no OBS_VALUE)."""
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    if table.layout == "wide":
        required, forbidden = WIDE_REQUIRED, WIDE_FORBIDDEN
    elif action == "delete":
        required, forbidden = DELETE_REQUIRED, ()
    else:
        required, forbidden = LONG_REQUIRED, ()
    for name in required:
        if name in table.index or (name == "BASE_PER" and base_alt in table.index):
            continue
        also = f" (or {base_alt})" if name == "BASE_PER" and base_alt else ""
        table.findings.append(
            table.finding(
                f"The required column {name}{also} is missing from the header row; "
                f"add it (accepted columns: {COLUMN_LIST}).",
                column=name,
            )
        )
    if "ACTIVITY" not in table.index and "NAT_CODE" not in table.index:
        table.findings.append(
            table.finding(
                "The header row has neither ACTIVITY nor NAT_CODE; add one of them (ACTIVITY for "
                "ISIC Rev.4 codes, NAT_CODE for your national classification's codes).",
                column="ACTIVITY",
            )
        )
    for name in forbidden:
        if name in table.index:
            i = table.index[name]
            table.findings.append(
                table.finding(
                    f"Column {column_letter(i)} is {name}, which does not belong in the wide "
                    "layout (one row per series, one column per period such as 2024-01); remove "
                    "it, or use the long layout (TIME_PERIOD and OBS_VALUE, no period columns).",
                    i=i,
                    column=name,
                    value=name,
                )
            )


def _unknown(table: Table, i: int, text: str, allow_periods: bool) -> ParseFinding:
    hint = ""
    if allow_periods:
        hint = " or a period such as 2024-01, 2024M01, 2024-M01, 2024-Q1 or 2024Q1"
        if _DATE_LIKE_RE.fullmatch(text):
            hint += (
                " (if it is a month that Excel turned into a date, format the header cells "
                "as Text and type the period as 2024-01)"
            )
    return table.finding(
        f'Column {column_letter(i)} "{text}" is not a column of the standard; remove it or '
        f"rename it to one of {COLUMN_LIST}{hint}. Header names are not case-sensitive.",
        i=i,
        column=text,
        value=text,
    )
