"""Turning a table's data rows into RawRows, for the long and the wide layout.

Records arrive as (row number, cells) from the CSV or XLSX reader; `text` turns one cell into
stripped text (`str.strip` for CSV, the Excel cell conversion for XLSX). These loops run once
per row of million-row files, so column positions are resolved before the loop and the loop
does no lookups by name and no regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from indices.receive.parsing.base import (
    MISSING_STATUSES,
    ROW_FIELDS,
    FindingSink,
    ParseFinding,
    RawRow,
    column_letter,
    row_limit_finding,
    truncate,
)
from indices.receive.parsing.header import Table

Records = Iterator[tuple[int, Sequence[Any]]]
CellText = Callable[[Any], str]

_TP = ROW_FIELDS.index("TIME_PERIOD")
_BASE = ROW_FIELDS.index("BASE_PER")


def long_rows(
    records: Records,
    table: Table,
    sink: FindingSink,
    *,
    max_rows: int,
    text: CellText,
    period_text: CellText | None = None,
) -> Iterator[RawRow]:
    """One RawRow per non-empty data row."""
    sheet = table.sheet
    idx = [table.index.get(name, -1) for name in ROW_FIELDS]
    trans_i, base_alt = table.transformation, table.base_alt
    if idx[_BASE] < 0:
        idx[_BASE], base_alt = base_alt, -1  # SDMX's NAT_BASE_PER alone stands for BASE_PER
    base_i = idx[_BASE]
    # Columns are fetched by one C-level itemgetter; a missing column (-1) reads the ""
    # appended to every row, and short rows are padded to the last column needed.
    need = max(idx) + 1
    pad = [""] * need
    getter = itemgetter(*idx)
    value_i = idx[ROW_FIELDS.index("OBS_VALUE")]
    # A delete may have no OBS_VALUE; text files have no cells to name (`RawRow.value_cell`).
    letter = column_letter(value_i) if value_i >= 0 and sheet else ""
    tp_i = idx[_TP] if period_text is not None else -1
    width, blank = table.width, table.blank
    new = tuple.__new__  # RawRow._make without its per-call length check: ~15% of the loop
    emitted = 0
    for row_no, cells in records:
        row = list(map(text, cells))
        n = len(row)
        if (n > width or blank) and stray_row(row, table, row_no, sink):
            continue
        if 0 <= tp_i < n:
            row[tp_i] = period_text(cells[tp_i])  # type: ignore[misc]
        if n < need:
            row.extend(pad[: need - n])
        row.append("")
        if base_alt >= 0 and not row[base_i] and base_alt < n:
            row[base_i] = row[base_alt]
        vals = getter(row)
        if not any(vals):
            continue  # a completely empty row (Excel's ";;;;" lines included)
        if 0 <= trans_i < n and row[trans_i] and row[trans_i] != "IX":
            sink.add(_bad_transformation(table, row_no, trans_i, row[trans_i]))
            continue
        emitted += 1
        if emitted > max_rows:
            sink.findings.append(row_limit_finding(max_rows, row_no, sheet))
            return
        yield new(RawRow, (row_no, sheet, f"{letter}{row_no}" if letter else "", *vals))


def wide_rows(
    records: Records,
    table: Table,
    sink: FindingSink,
    *,
    max_rows: int,
    text: CellText,
) -> Iterator[RawRow]:
    """One RawRow per non-empty period cell of each series row; M, L or O alone in a cell is a
    missing observation with that status."""
    sheet = table.sheet
    keys = [
        table.index.get(name, -1)
        for name in ("REF_AREA", "ACTIVITY", "NAT_CODE", "ADJUSTMENT", "FREQ", "BASE_PER")
    ]
    comment_i = table.index.get("COMMENT", -1)
    periods = [(i, period, column_letter(i) if sheet else "") for i, period in table.periods]
    width, blank = table.width, table.blank
    new = tuple.__new__
    emitted = 0
    for row_no, cells in records:
        n = len(cells)
        if (n > width or blank) and stray_row(list(map(text, cells)), table, row_no, sink):
            continue
        ref, act, nat, adj, freq, base = (text(cells[i]) if 0 <= i < n else "" for i in keys)
        comment = text(cells[comment_i]) if 0 <= comment_i < n else ""
        for i, period, letter in periods:
            if i >= n:
                break
            value = text(cells[i])
            if not value:
                continue
            status = ""
            if value in MISSING_STATUSES:
                value, status = "", value
            emitted += 1
            if emitted > max_rows:
                sink.findings.append(row_limit_finding(max_rows, row_no, sheet))
                return
            cell = f"{letter}{row_no}" if letter else ""
            yield new(
                RawRow,
                (row_no, sheet, cell, ref, act, nat, adj, freq, period, value, status, base,
                 comment),
            )  # fmt: skip


def stray_row(row: list[str], table: Table, row_no: int, sink: FindingSink) -> bool:
    """Report and skip a row with a value outside the header's columns: unknown columns are an
    error, not ignored (STANDARD.md section 3), and guessing which cell moved would be worse."""
    n = len(row)
    for i in table.blank:
        if i < n and row[i]:
            sink.add(
                ParseFinding(
                    "E02",
                    f"Cell {column_letter(i)}{row_no} has a value but column {column_letter(i)} "
                    "has no header; give the column a standard header or delete the value. "
                    "This row was not read.",
                    row=row_no,
                    sheet=table.sheet,
                    cell=f"{column_letter(i)}{row_no}",
                    value=truncate(row[i]),
                )
            )
            return True
    last = -1
    for i in range(n - 1, table.width - 1, -1):
        if row[i]:
            last = i
            break
    if last < 0:
        return False  # only trailing empty cells, as Excel writes them
    sink.add(
        ParseFinding(
            "E02",
            f"Row {row_no} has {last + 1} cells but the header has {table.width}: cell "
            f"{column_letter(last)}{row_no} is outside the table (a separator too many, or a value "
            "in a column without header?). Fix the row; it was not read.",
            row=row_no,
            sheet=table.sheet,
            cell=f"{column_letter(last)}{row_no}",
            value=truncate(row[last]),
        )
    )
    return True


def _bad_transformation(table: Table, row_no: int, i: int, value: str) -> ParseFinding:
    return ParseFinding(
        "E03",
        f'TRANSFORMATION "{truncate(value)}" is not accepted: upload index levels only '
        "(TRANSFORMATION IX); the exchange derives growth rates itself. This row was skipped.",
        row=row_no,
        sheet=table.sheet,
        cell=f"{column_letter(i)}{row_no}",
        column="TRANSFORMATION",
        value=truncate(value),
    )
