"""From records to a ParsedFile for the standard's own tables (long or wide, CSV or XLSX):
find the header row, judge it, and wire the lazy row generator."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from indices.receive.parsing.base import (
    ACCEPTED_FORMATS_MESSAGE,
    FindingSink,
    ParsedFile,
    ParseFinding,
    RawRow,
    fatal_file,
    no_observations,
    truncate,
)
from indices.receive.parsing.header import analyse_header, check_required
from indices.receive.parsing.rows import CellText, Records, long_rows, wide_rows

if TYPE_CHECKING:
    from indices.receive.parsing.fast import FastReader


def first_nonempty(records: Records, text: CellText) -> tuple[int, list[Any]] | None:
    """The header is the first row with any text: clerks leave blank lines above tables."""
    for row_no, cells in records:
        if any(text(cell) for cell in cells):
            return row_no, list(cells)
    return None


def table_file(
    records: Generator[tuple[int, Any], None, None],
    header: tuple[int, list[str]],
    *,
    kind: str,
    encoding: str,
    sheet: str,
    text: CellText,
    period_text: CellText | None,
    max_rows: int,
    findings: list[ParseFinding],
    action: str = "merge",
    fast: FastReader | None = None,
) -> ParsedFile:
    """`kind` is "csv" or "xlsx"; `header` holds the header row as text. `fast` reads the rows
    of a plain long CSV into a frame, or declines (None) and leaves them to `long_rows`."""
    row_no, cells = header
    table = analyse_header(cells, row_no=row_no, sheet=sheet)
    if not table.index and not table.periods:
        # Not one recognisable column: title rows above the header, or some other table.
        value = truncate(" | ".join(c for c in cells if c))
        later = _header_below(records, period_text or text, sheet)
        records.close()
        if later is not None:
            finding = _title_rows(row_no, later, sheet, value)
        else:
            finding = ParseFinding(
                "E01", ACCEPTED_FORMATS_MESSAGE, row=row_no, sheet=sheet, value=value
            )
        return fatal_file("", [*findings, finding], encoding=encoding)
    check_required(table, action=action)
    fmt = f"{kind}-{table.layout}"
    if table.findings:
        records.close()
        return fatal_file(fmt, [*findings, *table.findings], encoding=encoding)
    sink = FindingSink(findings)
    empty = no_observations(header_row=row_no, sheet=sheet, periods=table.periods)
    frame = fast(table, sink, max_rows) if fast is not None else None
    rows: Iterator[RawRow]
    if frame is not None:
        records.close()
        sink.close()
        if frame.is_empty() and not findings:
            findings.append(empty)  # as `guarded` does
        rows = map(RawRow._make, frame.iter_rows())
    else:
        read = (
            wide_rows(records, table, sink, max_rows=max_rows, text=text)
            if table.layout == "wide"
            else long_rows(
                records, table, sink, max_rows=max_rows, text=text, period_text=period_text
            )
        )
        rows = guarded(read, sink, records, empty=empty)
    return ParsedFile(
        format=fmt,
        layout=table.layout,
        columns=table.columns,
        encoding=encoding,
        findings=findings,
        rows=rows,
        fatal=False,
        frame=frame,
    )


# How far below a first row without any standard column the header is looked for.
_TITLE_ROWS_SEARCHED = 20


def _header_below(records: Records, text: CellText, sheet: str) -> int | None:
    """The row number of a header row (two or more standard columns) among the next rows."""
    for count, (row_no, cells) in enumerate(records):
        if count >= _TITLE_ROWS_SEARCHED:
            return None
        names = [text(cell) for cell in cells]
        if any(names) and len(analyse_header(names, row_no=row_no, sheet=sheet).index) >= 2:
            return row_no
    return None


def _title_rows(first_row: int, header_row: int, sheet: str, value: str) -> ParseFinding:
    where = f" of sheet {sheet}" if sheet else ""
    above = (
        f"row {first_row}" if header_row - first_row == 1 else f"rows {first_row}-{header_row - 1}"
    )
    return ParseFinding(
        "E01",
        f"Row {first_row}{where} is not the header row: the column names (REF_AREA, ACTIVITY, "
        "...) must be in the first row of the table, with no title or note rows above them "
        f"(empty rows are fine). They seem to be in row {header_row}: delete {above} and upload "
        "again.",
        row=first_row,
        sheet=sheet,
        value=value,
    )


def guarded(
    rows: Iterator[RawRow],
    sink: FindingSink,
    source: Generator[Any, None, None],
    *,
    empty: ParseFinding | None = None,
) -> Iterator[RawRow]:
    """Consuming `rows` never raises: a failure of the underlying reader becomes an E01 finding
    (the readers report their own expected errors; this is the net for the unexpected). A table
    that gave no row and no finding gets the `empty` finding: a submission of nothing is not
    accepted."""
    first = None
    try:
        first = next(rows, None)
        if first is not None:
            yield first
            yield from rows  # not a loop of ours: this runs once per row of million-row files
    except Exception as exc:  # a half-read file must still give a report
        sink.findings.append(
            ParseFinding(
                "E01",
                f"The file could not be read to the end ({type(exc).__name__}: "
                f"{truncate(str(exc))}); save it again from your spreadsheet program and "
                "upload it again.",
            )
        )
    finally:
        source.close()
        sink.close()
    if first is None and not sink.findings and empty is not None:
        sink.findings.append(empty)
