"""COPY a submission's rows into the staging table (indices_submissionrow), raw and normalized.

One COPY stream, one tuple per row: the rules then work on the whole set in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, repeat
from typing import TYPE_CHECKING

from django.db import connection
from psycopg import Copy
from psycopg.copy import QueuedLibpqWriter

from indices.validation.normalize import Normalizer, copy_text

if TYPE_CHECKING:
    from indices.parsing import RawRow

# The raw columns are in RawRow's field order, so a row is written as (submission, *raw, *norm).
RAW_COLUMNS = (
    "row_no",
    "sheet",
    "value_cell",
    "ref_area",
    "activity",
    "nat_code",
    "adjustment",
    "freq",
    "time_period",
    "obs_value",
    "obs_status",
    "base_per",
    "comment",
)
NORMALIZED_COLUMNS = (
    "freq_n",
    "adjustment_n",
    "status_n",
    "activity_n",
    "period_start",
    "period_label",
    "value_n",
    "base_year",
    "series_id",
)
COPY_SQL = "COPY indices_submissionrow ({}) FROM STDIN".format(
    ", ".join(("submission_id", *RAW_COLUMNS, *NORMALIZED_COLUMNS))
)
# What load_rows writes: the same columns, the normalized ones in the order of the normalizer's
# cached texts (the series part, then the period, then the value).
TEXT_COLUMNS = (
    "submission_id",
    *RAW_COLUMNS,
    "freq_n",
    "adjustment_n",
    "status_n",
    "activity_n",
    "base_year",
    "series_id",
    "period_start",
    "period_label",
    "value_n",
)
TEXT_COPY_SQL = "COPY indices_submissionrow ({}) FROM STDIN".format(", ".join(TEXT_COLUMNS))
# Rows formatted at a time: small batches stay in the CPU caches (10,000-row batches format
# twice as slowly); their texts are sent WRITE_BYTES at a time.
CHUNK_ROWS = 500
WRITE_BYTES = 1 << 20


def load_rows(
    *,
    submission_id: uuid.UUID,
    rows: Iterable[RawRow],
    normalizer: Normalizer,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 50_000,
) -> int:
    """Stage every row of `rows`; returns how many were loaded.

    Runs in the caller's transaction (or autocommit): a failure part-way leaves nothing staged
    only if the caller wraps it in `transaction.atomic`.

    Rows are formatted as COPY text CHUNK_ROWS at a time (psycopg's per-row `write_row` cost
    more than everything else here). The normalized texts come from the normalizer's caches;
    a raw column of a chunk is written as it is, or escaped cell by cell when it holds a
    character that COPY text must escape (tab, newline, carriage return, backslash).
    """
    prefix = copy_text(str(submission_id))
    with connection.cursor() as cursor:
        # The writes go out from a thread of psycopg's, so the server parses one chunk while
        # this thread reads and formats the next.
        writer = QueuedLibpqWriter(cursor.cursor)
        with cursor.copy(TEXT_COPY_SQL, writer=writer) as copy:
            loaded = _write(copy, iter(rows), prefix, normalizer, on_progress, progress_every)
    if on_progress is not None and loaded % progress_every:
        on_progress(loaded)
    return loaded


def _write(
    copy: Copy,
    rows: Iterator[RawRow],
    prefix: str,
    normalizer: Normalizer,
    on_progress: Callable[[int], None] | None,
    progress_every: int,
) -> int:
    loaded = 0
    pending: list[str] = []
    size = 0
    while True:
        count = CHUNK_ROWS
        if on_progress is not None:
            count = min(count, progress_every - loaded % progress_every)
        batch = list(islice(rows, count))
        if not batch:
            break
        text = _chunk(prefix, batch, normalizer)
        pending.append(text)
        size += len(text)
        if size >= WRITE_BYTES:
            copy.write("".join(pending))
            pending.clear()
            size = 0
        loaded += len(batch)
        if on_progress is not None and loaded % progress_every == 0:
            on_progress(loaded)
    if pending:
        copy.write("".join(pending))
    return loaded


def _chunk(prefix: str, batch: list[RawRow], normalizer: Normalizer) -> str:
    """COPY text of `batch`, built column by column with C loops (zip, map, join): a raw
    column is escaped only when it holds a character that COPY text must escape."""
    columns = list(zip(*batch, strict=True))
    series, periods, values = normalizer.copy_texts(columns)
    raw = columns[1:]
    for i, column in enumerate(raw):
        text = "".join(column)
        if "\t" in text or "\n" in text or "\r" in text or "\\" in text:
            raw[i] = tuple(map(copy_text, column))
    lines = map(
        "\t".join,
        zip(
            repeat(prefix, len(batch)),
            map(str, columns[0]),
            *raw,
            series,
            periods,
            values,
            strict=True,
        ),
    )
    return "\n".join(lines) + "\n"
