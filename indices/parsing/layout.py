"""From records to a ParsedFile for the standard's own tables (long or wide, CSV or XLSX):
find the header row, judge it, and wire the lazy row generator."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from indices.parsing.base import (
    ACCEPTED_FORMATS_MESSAGE,
    FindingSink,
    ParsedFile,
    ParseFinding,
    RawRow,
    fatal_file,
    truncate,
)
from indices.parsing.header import analyse_header, check_required
from indices.parsing.rows import CellText, Records, long_rows, wide_rows


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
) -> ParsedFile:
    """`kind` is "csv" or "xlsx"; `header` holds the header row as text."""
    row_no, cells = header
    table = analyse_header(cells, row_no=row_no, sheet=sheet)
    if not table.index and not table.periods:
        # Not one recognisable column: this is some other table, not a mistyped submission.
        records.close()
        value = truncate(" | ".join(c for c in cells if c))
        finding = ParseFinding(
            "E01", ACCEPTED_FORMATS_MESSAGE, row=row_no, sheet=sheet, value=value
        )
        return fatal_file("", [*findings, finding], encoding=encoding)
    check_required(table)
    fmt = f"{kind}-{table.layout}"
    if table.findings:
        records.close()
        return fatal_file(fmt, [*findings, *table.findings], encoding=encoding)
    sink = FindingSink(findings)
    if table.layout == "wide":
        rows = wide_rows(records, table, sink, max_rows=max_rows, text=text)
    else:
        rows = long_rows(
            records, table, sink, max_rows=max_rows, text=text, period_text=period_text
        )
    return ParsedFile(
        format=fmt,
        layout=table.layout,
        columns=table.columns,
        encoding=encoding,
        findings=findings,
        rows=guarded(rows, sink, records),
        fatal=False,
    )


def guarded(
    rows: Iterator[RawRow], sink: FindingSink, source: Generator[Any, None, None]
) -> Iterator[RawRow]:
    """Consuming `rows` never raises: a failure of the underlying reader becomes an E01 finding
    (the readers report their own expected errors; this is the net for the unexpected)."""
    try:
        yield from rows
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
