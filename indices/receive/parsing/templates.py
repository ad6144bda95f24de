"""Ready-to-fill upload files: the agency's series keys and periods, OBS_VALUE left empty.

A template is the cheapest way to get a correct first upload, so every template must parse
back through `parse_file` without findings once its values are typed in (tested).
"""

from __future__ import annotations

import csv
import io
from typing import NamedTuple, cast

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indices.receive.parsing.header import is_period

_TEXT = "@"  # Excel's Text number format: "2024-01" stays text, never a date


class TemplateSeries(NamedTuple):
    activity: str = ""
    nat_code: str = ""
    adjustment: str = "N"
    base_per: str = ""


def build_template(
    *,
    fmt: str,
    layout: str,
    ref_area: str,
    series: list[TemplateSeries],
    periods: list[str],
) -> bytes:
    """`fmt` "csv" or "xlsx", `layout` "long" or "wide"; returns the file's bytes."""
    if fmt not in ("csv", "xlsx") or layout not in ("long", "wide"):
        raise ValueError(f"unknown template {fmt}/{layout}")
    header, rows, text_columns = _table(layout, ref_area, series, periods)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
        # The BOM makes Excel open the file as UTF-8, so Thai comments survive a round trip.
        return out.getvalue().encode("utf-8-sig")
    return _workbook(header, rows, text_columns)


def _freq(period: str) -> str:
    return "Q" if "Q" in period.upper() else "M"


def _table(
    layout: str, ref_area: str, series: list[TemplateSeries], periods: list[str]
) -> tuple[list[str], list[list[object]], set[int]]:
    """Header, rows and the 0-based columns to keep as text in Excel."""
    code_columns = [
        name
        for name, used in (
            ("ACTIVITY", any(s.activity for s in series)),
            ("NAT_CODE", any(s.nat_code for s in series)),
        )
        if used
    ] or ["ACTIVITY"]
    keys = ["REF_AREA", *code_columns, "ADJUSTMENT"]

    def key_values(s: TemplateSeries) -> list[object]:
        codes = {"ACTIVITY": s.activity, "NAT_CODE": s.nat_code}
        return [ref_area, *(codes[c] for c in code_columns), s.adjustment]

    def base(s: TemplateSeries) -> object:
        return int(s.base_per) if s.base_per.isdigit() else s.base_per

    if layout == "long":
        header = [*keys, "FREQ", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "BASE_PER", "COMMENT"]
        rows = [[*key_values(s), _freq(p), p, "", "", base(s), ""] for s in series for p in periods]
        return header, rows, {header.index("TIME_PERIOD")}
    freqs = {_freq(p) for p in periods}
    # FREQ is per series in the wide layout: only when all periods share one frequency.
    freq = [freqs.pop()] if len(freqs) == 1 else []
    header = [*keys, *(["FREQ"] if freq else []), "BASE_PER", *periods]
    rows = [[*key_values(s), *freq, base(s), *([""] * len(periods))] for s in series]
    first_period = len(header) - len(periods)
    return header, rows, {i for i, h in enumerate(header) if i >= first_period and is_period(h)}


def _workbook(header: list[str], rows: list[list[object]], text_columns: set[int]) -> bytes:
    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook's one sheet
    ws.title = "Data"
    ws.append(header)
    bold = Font(bold=True)
    for i, cell in enumerate(ws[1]):
        cell.font = bold
        if i in text_columns:
            cell.number_format = _TEXT
    for row in rows:
        ws.append(row)
    for i in text_columns:
        letter = get_column_letter(i + 1)
        for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = _TEXT
        ws.column_dimensions[letter].width = 12
    for i, name in enumerate(header):
        if i not in text_columns:
            ws.column_dimensions[get_column_letter(i + 1)].width = max(10, len(name) + 2)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("Instructions")
    for line in _INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_INSTRUCTIONS = (
    "How to fill this template (Mekong IPI Exchange Standard, version 1)",
    "Type each index level (base year = 100) into the empty OBS_VALUE or period cells, "
    "with a decimal point and no thousands separator.",
    "Leave a value empty and put M, L or O in OBS_STATUS (long layout) or in the cell (wide "
    "layout) when the observation is missing.",
    "OBS_STATUS (optional): P provisional, E estimated, B break in series, I imputed, "
    "U low reliability; empty means A (normal).",
    "Keep the data on the first sheet and do not rename the header row. This sheet is not read.",
    "Save as Excel Workbook (.xlsx) without macros or a password, or as CSV UTF-8.",
)
