"""COPY a submission's rows, raw and normalized, into the staging table (indices_submissionrow).

Publication applied them to the national store from there before issue #14; it now COPYs the
kept frame itself (publish/services/national.py). Its tests still compare with what this path
stored (tests/indices/publish/test_national_store.py).

One COPY of CSV text written by polars from the rows frame (validation/frame.py): no Python
loop over the rows.
"""

from __future__ import annotations

import io
import uuid

import polars as pl
from django.db import connection

from indices.receive.parsing.base import RAW_COLUMNS

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
STAGED_COLUMNS = ("submission_id", *RAW_COLUMNS, *NORMALIZED_COLUMNS)
# NULL is \N, so an empty raw cell stays an empty string; the raw columns are never NULL, so a
# cell that reads \N stays that text too (FORCE_NOT_NULL). A normalized value is never \N.
COPY_SQL = (
    f"COPY indices_submissionrow ({', '.join(STAGED_COLUMNS)}) FROM STDIN "
    f"(FORMAT csv, NULL '\\N', FORCE_NOT_NULL ({', '.join(RAW_COLUMNS)}))"
)
# Rows written per COPY chunk: bounds the CSV text held in memory at once.
CHUNK_ROWS = 200_000


def stage_rows(*, submission_id: uuid.UUID, rows: pl.DataFrame) -> int:
    """Stage every row of `rows` (a normalized frame); returns how many were staged.

    Runs in the caller's transaction (or autocommit): a failure part-way leaves nothing staged
    only if the caller wraps it in `transaction.atomic`.
    """
    staged = rows.select(
        pl.lit(str(submission_id)).alias("submission_id"), *RAW_COLUMNS, *NORMALIZED_COLUMNS
    )
    with connection.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        for chunk in staged.iter_slices(CHUNK_ROWS):
            copy.write(_csv(chunk))
    return staged.height


def _csv(chunk: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    chunk.write_csv(buffer, include_header=False, null_value="\\N")
    return buffer.getvalue()
