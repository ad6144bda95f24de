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
# Rows encoded at a time: bounds the index arrays numpy builds (8 bytes per byte written).
CHUNK_ROWS = 100_000

_BIG_ENDIAN = {pl.Int16: ">i2", pl.Int32: ">i4", pl.Int64: ">i8", pl.Float64: ">f8"}


def binary_copy(frame: pl.DataFrame) -> Iterator[bytes]:
    """The frame as a binary COPY stream: write each part to `cursor.copy(... FORMAT binary)`.

    Its columns, in the COPY's column order, are typed as the table's: String or Binary for
    text, bytea or uuid (16 bytes), Int16/Int32/Int64 for smallint/integer/bigint, Float64,
    Date, Datetime (in UTC) for timestamptz."""
    columns = [_column(frame.get_column(name)) for name in frame.columns]
    yield SIGNATURE
    for offset in range(0, frame.height, CHUNK_ROWS):
        yield _rows(columns, offset, min(CHUNK_ROWS, frame.height - offset))
    yield TRAILER


@dataclass(frozen=True)
class _Fixed:
    """A column whose values are all `width` bytes: one row of `data` per value."""

    data: np.ndarray  # (rows, width) uint8
    valid: np.ndarray  # bool per row: False for NULL

    def sizes(self, offset: int, count: int) -> np.ndarray:
        width = self.data.shape[1]
        return np.where(self.valid[offset : offset + count], width, -1)

    def write(self, out: np.ndarray, at: np.ndarray, offset: int, count: int) -> None:
        data, valid = self.data[offset : offset + count], self.valid[offset : offset + count]
        if not valid.all():
            data, at = data[valid], at[valid]
        out[at[:, None] + np.arange(data.shape[1])] = data


@dataclass(frozen=True)
class _Text:
    """A column of byte strings, each row a code into a dictionary of its distinct values."""

    codes: np.ndarray  # int64 per row
    valid: np.ndarray
    lengths: np.ndarray  # bytes per distinct value
    starts: np.ndarray  # where each distinct value begins in `blob`
    blob: np.ndarray  # uint8: the distinct values end to end

    def sizes(self, offset: int, count: int) -> np.ndarray:
        lengths = self.lengths[self.codes[offset : offset + count]]
        return np.where(self.valid[offset : offset + count], lengths, -1)

    def write(self, out: np.ndarray, at: np.ndarray, offset: int, count: int) -> None:
        codes = self.codes[offset : offset + count]
        lengths = np.where(self.valid[offset : offset + count], self.lengths[codes], 0)
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
        return _text(series.cast(pl.Binary), valid)
    if dtype == pl.Date:
        numbers = series.cast(pl.Int32).fill_null(0).to_numpy() - POSTGRES_EPOCH_DAYS
        return _fixed(numbers.astype(">i4"), valid)
    if isinstance(dtype, pl.Datetime):
        microseconds = series.dt.cast_time_unit("us").cast(pl.Int64).fill_null(0).to_numpy()
        return _fixed((microseconds - POSTGRES_EPOCH_MICROSECONDS).astype(">i8"), valid)
    if dtype in _BIG_ENDIAN:
        return _fixed(series.fill_null(0).to_numpy().astype(_BIG_ENDIAN[dtype]), valid)
    raise TypeError(f"no binary COPY encoding for {series.name} ({dtype})")


def _fixed(values: np.ndarray, valid: np.ndarray) -> _Fixed:
    values = np.ascontiguousarray(values)
    return _Fixed(
        data=values.view(np.uint8).reshape(len(values), values.dtype.itemsize), valid=valid
    )


def _text(values: pl.Series, valid: np.ndarray) -> _Text:
    filled = values.fill_null(b"")
    distinct = filled.unique().sort()
    entries = distinct.to_list()
    lengths = np.fromiter((len(entry) for entry in entries), np.int64, len(entries))
    return _Text(
        codes=distinct.search_sorted(filled).to_numpy().astype(np.int64),
        valid=valid,
        lengths=lengths,
        starts=np.cumsum(lengths) - lengths,
        blob=np.frombuffer(b"".join(entries), np.uint8),
    )


def _rows(columns: list[_Fixed | _Text], offset: int, count: int) -> bytes:
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
    out[at[:, None] + np.arange(width)] = values.view(np.uint8).reshape(len(values), width)
