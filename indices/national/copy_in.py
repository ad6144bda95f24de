"""Bulk writes of a polars frame: its rows in PostgreSQL's binary COPY format.

PostgreSQL then parses no text: a float arrives as its 8 bytes (bit for bit), a date as its day
number, an id as its 16 bytes. The server took about twice as long to read the same million
rows as CSV (docs/benchmarks.md, issue #14). The format is written column by column with numpy,
never a Python step per row; text through a dictionary of its distinct values (a series id, a
period label, a national code: each repeats over many rows).

Each row: its number of fields (int16), then per field its length in bytes (int32, -1 for
NULL) and the bytes. Integers and floats are big-endian; a date counts days, a timestamp
microseconds, from 2000-01-01 (UTC).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # then no flags, no header extension
TRAILER = b"\xff\xff"
# PostgreSQL's day 0, 2000-01-01, in days since 1970-01-01 (polars' day 0).
POSTGRES_EPOCH_DAYS = 10_957
POSTGRES_EPOCH_MICROSECONDS = POSTGRES_EPOCH_DAYS * 86_400 * 1_000_000
# Rows are laid out padded, each field in a slot as wide as its widest value, then the padding
# is dropped at once (a boolean mask): a third of the time of placing each byte by an index.
# That where every field is at most this wide, with this many padded bytes at a time (and at
# most in a column's padded distinct values)...
WIDEST_CELL = 260
PADDED_BYTES = 16 << 20
# ... else (a long comment would pad every row) each byte is placed by an index, this many rows
# at a time (the index arrays take 8 bytes per byte written).
CHUNK_ROWS = 100_000

# numpy's big-endian type of a polars numeric type, by its name
_BIG_ENDIAN = {"Int16": ">i2", "Int32": ">i4", "Int64": ">i8", "Float64": ">f8"}


def binary_copy(frame: pl.DataFrame) -> Iterator[bytes]:
    """The frame as a binary COPY stream: write each part to `cursor.copy(... FORMAT binary)`.

    Its columns, in the COPY's column order, are typed as the table's: String or Binary for
    text, bytea or uuid (16 bytes), Int16/Int32/Int64 for smallint/integer/bigint, Float64,
    Date, Datetime (in UTC) for timestamptz."""
    columns = [_column(frame.get_column(name)) for name in frame.columns]
    padded = all(column.narrow for column in columns)
    row_width = 2 + sum(column.width for column in columns)
    rows = max(1_000, PADDED_BYTES // row_width) if padded else CHUNK_ROWS
    yield SIGNATURE
    for offset in range(0, frame.height, rows):
        count = min(rows, frame.height - offset)
        yield _padded_rows(columns, offset, count) if padded else _rows(columns, offset, count)
    yield TRAILER


@dataclass(frozen=True)
class _Fixed:
    """A column whose values all take `width - 4` bytes."""

    data: np.ndarray  # (rows, width - 4) uint8: each row's value
    valid: np.ndarray  # bool per row: False for NULL

    narrow = True  # its fields can be laid out padded

    @property
    def width(self) -> int:
        return 4 + self.data.shape[1]

    def sizes(self, offset: int, count: int) -> np.ndarray:
        """Each row's length field: its bytes, -1 for NULL."""
        return np.where(self.valid[offset : offset + count], self.width - 4, -1)

    def slot(self, into: np.ndarray, offset: int, count: int) -> np.ndarray:
        """Copy the rows' fields (padded to `width`) into `into`; their lengths."""
        sizes = self.sizes(offset, count)
        into[:, :4] = _bytes(sizes.astype(">i4"))
        into[:, 4:] = self.data[offset : offset + count]
        return 4 + np.maximum(sizes, 0)

    def write(self, out: np.ndarray, at: np.ndarray, offset: int, count: int) -> None:
        """Write the rows' values (not their lengths) from `at`."""
        data, valid = self.data[offset : offset + count], self.valid[offset : offset + count]
        if not valid.all():
            data, at = data[valid], at[valid]
        out[at[:, None] + np.arange(data.shape[1])] = data


@dataclass(frozen=True)
class _Text:
    """A column of byte strings, each row a code into a dictionary of its distinct values."""

    codes: np.ndarray  # int32 per row; -1 for NULL
    lengths: np.ndarray  # bytes per distinct value
    starts: np.ndarray  # where each distinct value begins in `blob`
    blob: np.ndarray  # uint8: the distinct values end to end
    # Each distinct value's field, its length first, padded to `width`, and NULL's last (its
    # length -1 alone): only for a narrow column.
    cells: np.ndarray | None

    @property
    def width(self) -> int:
        return 4 + int(self.lengths.max(initial=0))

    @property
    def narrow(self) -> bool:
        return self.cells is not None

    def sizes(self, offset: int, count: int) -> np.ndarray:
        codes = self.codes[offset : offset + count]
        return np.where(codes >= 0, self.lengths[codes], -1)

    def slot(self, into: np.ndarray, offset: int, count: int) -> np.ndarray:
        assert self.cells is not None
        codes = self.codes[offset : offset + count]
        np.take(self.cells, codes, axis=0, out=into, mode="wrap")  # -1: NULL's, the last
        return 4 + np.maximum(self.sizes(offset, count), 0)

    def write(self, out: np.ndarray, at: np.ndarray, offset: int, count: int) -> None:
        codes = self.codes[offset : offset + count]
        lengths = np.where(codes >= 0, self.lengths[codes], 0)
        total = int(lengths.sum())
        if total == 0:
            return
        # Byte i of row r goes from blob[starts[code r] + i] to out[at[r] + i].
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[np.repeat(at, lengths) + within] = self.blob[
            np.repeat(self.starts[codes], lengths) + within
        ]


def _column(series: pl.Series) -> _Fixed | _Text:
    valid = series.is_not_null().to_numpy()
    dtype = series.dtype
    if dtype == pl.String or dtype == pl.Binary:
        return _text(*_dictionary(series), valid)
    if dtype == pl.Date:
        numbers = series.cast(pl.Int32).fill_null(0).to_numpy() - POSTGRES_EPOCH_DAYS
        return _fixed(numbers.astype(">i4"), valid)
    if isinstance(dtype, pl.Datetime):
        microseconds = series.dt.cast_time_unit("us").cast(pl.Int64).fill_null(0).to_numpy()
        return _fixed((microseconds - POSTGRES_EPOCH_MICROSECONDS).astype(">i8"), valid)
    if str(dtype) in _BIG_ENDIAN:
        return _fixed(series.fill_null(0).to_numpy().astype(_BIG_ENDIAN[str(dtype)]), valid)
    raise TypeError(f"no binary COPY encoding for {series.name} ({dtype})")


def _fixed(values: np.ndarray, valid: np.ndarray) -> _Fixed:
    return _Fixed(data=_bytes(values), valid=valid)


def _dictionary(values: pl.Series) -> tuple[np.ndarray, list[bytes]]:
    """Each row's code into the column's distinct values (int32: 4 bytes a row of a million-row
    frame; any code for NULL), and those values' bytes."""
    if values.dtype == pl.String:
        # A categorical of the column's own: each text hashed once, three times as fast as
        # looking each row up among the sorted distinct values.
        categorical = values.cast(pl.Categorical(pl.Categories.random()))
        codes = categorical.to_physical().fill_null(0).cast(pl.Int32).to_numpy()
        return codes, [text.encode() for text in categorical.cat.get_categories().to_list()]
    filled = values.fill_null(b"")
    distinct = filled.unique().sort()
    return distinct.search_sorted(filled).cast(pl.Int32).to_numpy(), distinct.to_list()


def _text(codes: np.ndarray, entries: list[bytes], valid: np.ndarray) -> _Text:
    lengths = np.fromiter((len(entry) for entry in entries), np.int64, len(entries))
    starts = np.cumsum(lengths) - lengths
    blob = np.frombuffer(b"".join(entries), np.uint8)
    codes = np.where(valid, codes, -1)
    width = 4 + int(lengths.max(initial=0))
    cells = None
    if width <= WIDEST_CELL and (len(entries) + 1) * width <= PADDED_BYTES:
        cells = np.zeros((len(entries) + 1, width), np.uint8)
        cells[:, :4] = _bytes(np.append(lengths, -1).astype(">i4"))
        within = np.arange(len(blob)) - np.repeat(starts, lengths)
        cells[np.repeat(np.arange(len(entries)), lengths), 4 + within] = blob
    return _Text(codes=codes, lengths=lengths, starts=starts, blob=blob, cells=cells)


def _padded_rows(columns: list[_Fixed | _Text], offset: int, count: int) -> bytes:
    """The rows laid out padded (each field in a slot of its column's width), then the padding
    dropped."""
    padded = np.empty((count, 2 + sum(column.width for column in columns)), np.uint8)
    padded[:, :2] = _bytes(np.array([len(columns)], ">i2"))
    kept = None
    start = 2
    for column in columns:
        end = start + column.width
        lengths = column.slot(padded[:, start:end], offset, count)
        if lengths.min(initial=column.width) < column.width:
            if kept is None:
                kept = np.ones(padded.shape, bool)
            kept[:, start:end] = np.arange(column.width) < lengths[:, None]
        start = end
    return (padded if kept is None else padded[kept]).tobytes()


def _rows(columns: list[_Fixed | _Text], offset: int, count: int) -> bytes:
    """The rows, each byte placed by an index."""
    sizes = [column.sizes(offset, count) for column in columns]
    row_bytes = 2 + sum(4 + np.maximum(size, 0) for size in sizes)
    starts = np.cumsum(row_bytes) - row_bytes
    out = np.empty(int(row_bytes.sum()), np.uint8)
    _put(out, starts, np.full(count, len(columns), ">i2"))
    at = starts + 2
    for column, size in zip(columns, sizes, strict=True):
        _put(out, at, size.astype(">i4"))
        column.write(out, at + 4, offset, count)
        at = at + 4 + np.maximum(size, 0)
    return out.tobytes()


def _put(out: np.ndarray, at: np.ndarray, values: np.ndarray) -> None:
    width = values.dtype.itemsize
    out[at[:, None] + np.arange(width)] = _bytes(values)


def _bytes(values: np.ndarray) -> np.ndarray:
    """(rows, itemsize) uint8: each value's bytes."""
    values = np.ascontiguousarray(values)
    return values.view(np.uint8).reshape(len(values), values.dtype.itemsize)
