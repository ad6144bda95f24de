"""COPY a submission's rows into the staging table (indices_submissionrow), raw and normalized.

One COPY stream, one tuple per row: the rules then work on the whole set in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import connection

from indices.validation.normalize import Normalizer

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
    """
    submission = str(submission_id)
    normalized = normalizer.normalized
    loaded = 0
    with connection.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        write = copy.write_row
        if on_progress is None:
            for row in rows:
                write((submission, *row, *normalized(row)))
                loaded += 1
        else:
            for row in rows:
                write((submission, *row, *normalized(row)))
                loaded += 1
                if loaded % progress_every == 0:
                    on_progress(loaded)
    if on_progress is not None and loaded % progress_every:
        on_progress(loaded)
    return loaded
