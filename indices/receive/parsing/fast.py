"""The fast path for plain long-layout CSV files: polars reads the data rows straight into the
rows frame, where the csv module hands them out one RawRow at a time (2-3 s per million rows).

It is taken only where its result is provably the slow path's, row for row, value for value and
finding for finding; anywhere else `read_long_csv` returns None, having changed nothing, and the
slow path reads the file as before. What makes a file plain:

- UTF-8 that is pure ASCII: `str.strip` strips Unicode spaces that polars would keep;
- no double quote: then a CSV record is exactly a line, and its cells are the line split at the
  separator, as polars splits it;
- none of the bytes NUL (the csv module stops at it), \\x0b, \\x0c or \\x1c-\\x1f (`str.strip`
  strips them), so the cells lose only spaces, tabs and the \\r of \\r\\n line ends;
- no \\r but in \\r\\n: the csv module ends a record at a bare \\r, polars does not;
- no line longer than the csv module's field size limit (it stops with an error there);
- a long-layout header without blank columns (their cells need the row's E02 check), without
  SDMX's TRANSFORMATION or NAT_BASE_PER, and the separator "," or ";".

Without quotes the slow path's row numbers (CSV records from 1, blank ones included) are line
numbers, which polars keeps: it reads each line as one field (the separator is a byte the file
does not have), blank lines as nulls, and splits the lines itself.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

from indices.receive.parsing.base import RAW_COLUMNS, ROW_FIELDS, FindingSink, row_limit_finding
from indices.receive.parsing.header import Table
from indices.receive.parsing.rows import stray_row

FastReader = Callable[[Table, FindingSink, int], pl.DataFrame | None]

_CHUNK = 1 << 22
# Bytes read differently by the csv module with `str.strip` than by polars (see above).
_UNSAFE_BYTES = tuple(bytes([byte]) for byte in b'"\x00\x0b\x0c\x1c\x1d\x1e\x1f')
# Never in a file that passed the byte check: polars reads each line as a single field.
_LINE_SEPARATOR = "\x1f"
# What `str.strip` can find to strip in the cells of such a file.
_STRIPPED = " \t\r"
_DELIMITERS = (",", ";")
# The frame's value columns, one per standard column (ROW_FIELDS), after row_no, sheet, value_cell.
_VALUE_COLUMNS = RAW_COLUMNS[3:]


def long_csv_reader(path: Path, encoding: str, delimiter: str) -> FastReader | None:
    """The fast reader of a CSV file in this encoding and with this separator, or None when
    those alone rule it out; the reader itself then judges the header and the bytes."""
    if encoding not in ("utf-8", "utf-8-sig") or delimiter not in _DELIMITERS:
        return None
    return partial(read_long_csv, path, delimiter=delimiter, bom=encoding == "utf-8-sig")


def read_long_csv(
    path: Path, table: Table, sink: FindingSink, max_rows: int, *, delimiter: str, bom: bool
) -> pl.DataFrame | None:
    """The data rows below `table`'s header as a frame of RAW_COLUMNS, with the findings the
    slow path would add (E02 for rows with text outside the table, the row limit) added to
    `sink`; or None, with nothing added, when the file is not plain (see the module's doc)."""
    if table.layout != "long" or table.blank or table.transformation >= 0 or table.base_alt >= 0:
        return None
    plain = _plain_bytes(path, bom)
    if plain is None:
        return None
    spaced, returns = plain
    try:
        lines = _lines(path)["line"]
    except (pl.exceptions.PolarsError, OSError):
        return None
    header_row = table.header_row
    if (
        len(lines) < header_row
        or (returns and lines.str.contains("\r", literal=True).any())  # a \r not in \r\n
        or int(lines.str.len_bytes().max() or 0) > csv.field_size_limit()  # type: ignore[arg-type]
    ):
        return None
    cells = _cells(lines.slice(header_row), table, delimiter, spaced=spaced)
    kept = cells if cells["keep"].all() else cells.filter("keep")
    limit_row = None
    if kept.height > max_rows:
        limit_row = kept["row_no"][max_rows]
        kept = kept.head(max_rows)
    strays = cells.filter("stray")
    if limit_row is not None:
        strays = strays.filter(pl.col("row_no") < limit_row)  # the slow path stops reading there
    for row_no, line in strays.select("row_no", "line").iter_rows():
        # The slow path's own check and message; with no quote, a row's cells are its line split.
        stray_row([cell.strip() for cell in line.split(delimiter)], table, row_no, sink)
    if limit_row is not None:
        sink.findings.append(row_limit_finding(max_rows, limit_row, table.sheet))
    return kept.select(
        "row_no",
        pl.lit(table.sheet).alias("sheet"),
        pl.lit("").alias("value_cell"),  # a text file has no cells (RawRow.value_cell)
        *(
            column if name in table.index else pl.lit("").alias(column)
            for name, column in zip(ROW_FIELDS, _VALUE_COLUMNS, strict=True)
        ),
    )


def _plain_bytes(path: Path, bom: bool) -> tuple[bool, bool] | None:
    """None when the file is not ASCII without the unsafe bytes, else whether it has a space or a
    tab (without them, no cell needs stripping) and whether it has a \\r (without, no line can
    have a bare one). A few C-speed passes over each chunk of a file that the encoding check has
    just read, so from the page cache."""
    spaced = returns = False
    with path.open("rb") as fh:
        if bom:
            fh.read(3)
        while chunk := fh.read(_CHUNK):
            if not chunk.isascii() or any(byte in chunk for byte in _UNSAFE_BYTES):
                return None
            spaced = spaced or b" " in chunk or b"\t" in chunk
            returns = returns or b"\r" in chunk
    return spaced, returns


def _lines(path: Path) -> pl.DataFrame:
    """Every line of the file, in order, as the one String column "line": blank lines as nulls,
    the \\r of \\r\\n line ends removed, a UTF-8 BOM dropped."""
    return pl.read_csv(
        path,
        has_header=False,
        separator=_LINE_SEPARATOR,
        quote_char=None,
        schema={"line": pl.String},
        raise_if_empty=False,
    )


def _cells(lines: pl.Series, table: Table, delimiter: str, *, spaced: bool) -> pl.DataFrame:
    """One row per data line: row_no, the line, the value columns of the table's standard
    columns (stripped text, "" for a missing cell), `stray` (text right of the header's
    last column: the slow path's E02, the row is not read) and `keep` (neither stray nor empty:
    the rows the slow path's `long_rows` gives)."""
    width = table.width
    present = [
        (column, table.index[name])
        for name, column in zip(ROW_FIELDS, _VALUE_COLUMNS, strict=True)
        if name in table.index
    ]

    def value(i: int) -> pl.Expr:
        text = pl.col(f"field_{i}")
        if spaced:
            text = text.str.strip_chars(_STRIPPED)
        return text.fill_null("")

    # Past the header's last column, when not null: the row's further cells, separators and all.
    outside = pl.col(f"field_{width}")
    stray = outside.str.contains(f"[^{delimiter} \\t\\r]").fill_null(False)
    first_row = table.header_row + 1
    return (
        lines.to_frame("line")
        .lazy()
        # One split per line, into field_0 .. field_{width-1} (the table's cells) and the rest.
        .with_columns(parts=pl.col("line").str.splitn(delimiter, width + 1))
        .unnest("parts")
        .select(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("row_no"),
            "line",
            stray.alias("stray"),
            *(value(i).alias(column) for column, i in present),
        )
        .with_columns(
            keep=~pl.col("stray")
            & pl.any_horizontal(pl.col(column) != "" for column, _ in present),
        )
        .collect()
    )
