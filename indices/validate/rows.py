"""The rows of a submission, read from its kept file and normalized once.

Validation reads them (`submission_rows`) and, when the submission may be published, keeps the
normalized frame beside the file store as an Arrow file (`rows_keep`). Publication applies that
frame to the national store (`publication_rows`) without parsing the file again. Once a
submission is decided for good, its kept frame is purged (`staging_purge`), with the rows older
versions staged in the staging table (indices_submissionrow) for publication.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Q

from countries.selectors import concordance_entries_for_country
from countries.standard import load_definition
from indices.receive.files import store_root, stored_path
from indices.receive.models import Submission
from indices.receive.parsing import ParsedFile, parse_file
from indices.validate.frame import normalized_frame, parsed_rows
from indices.validate.normalize import Normalizer

Status = Submission.Status


def submission_file(submission: Submission) -> ParsedFile:
    """The submission's kept file, opened by the parser that fits it."""
    return parse_file(
        stored_path(submission.sha256),
        original_name=submission.original_name,
        max_rows=settings.IPI_MAX_ROWS,
        action=submission.action,
    )


def submission_rows(
    submission: Submission, parsed: ParsedFile, on_progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    """Every row of the file, raw beside normalized (validate/frame.py)."""
    return normalized_frame(parsed_rows(parsed, on_progress=on_progress), _normalizer(submission))


def country_of(submission: Submission) -> str:
    country = submission.agency.country_id
    assert country is not None  # submission_create: only a reporting agency, with a country
    return country


def _normalizer(submission: Submission) -> Normalizer:
    concordance = {
        entry.national_code: entry.isic_code
        for entry in concordance_entries_for_country(country_code=country_of(submission))
    }
    return Normalizer(standard=load_definition(), concordance=concordance)


# The columns of a normalized row that a stored value is made of: all that publication reads
# of the kept frame (publish/services/national.py, FRAME_COLUMNS). Only these are kept: the
# whole frame (the raw columns beside the normalized, 26 in all) took two to three times as
# long to write, 0.34 s of a million rows in random order.
KEPT_COLUMNS = (
    "activity_n",
    "adjustment_n",
    "base_year",
    "comment",
    "freq_n",
    "nat_code",
    "period_start",
    "ref_area",
    "row_no",
    "series_id",
    "status_n",
    "value_n",
)


def kept_rows_path(submission_id: object) -> Path:
    # Arrow IPC with zstd: written about 5x faster than Parquet (whose encoding of the string
    # columns took 1 s of a 1M-row validation), at a third of its size; read once.
    return store_root() / "rows" / f"{submission_id}.arrow"


def kept_rows(submission_id: object, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """The kept frame (only `columns` of it, when given: the others are not decompressed)."""
    return pl.read_ipc(
        kept_rows_path(submission_id),
        columns=list(columns) if columns is not None else None,
        memory_map=False,
    )


def rows_keep(submission: Submission, rows: pl.DataFrame) -> None:
    """Keep the normalized rows (KEPT_COLUMNS) for publication: written under a temporary name,
    then renamed, so a crash never leaves half a frame (a rerun of the validation writes it
    again)."""
    path = kept_rows_path(submission.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(handle)
    try:
        rows.select(KEPT_COLUMNS).write_ipc(temporary, compression="zstd")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publication_rows(submission: Submission, *, columns: Sequence[str]) -> pl.DataFrame:
    """The `columns` of the rows a decided submission applies: the frame validation kept, or
    for a submission validated before frames were kept (or kept as Parquet), its file read
    again."""
    if kept_rows_path(submission.pk).exists():
        return kept_rows(submission.pk, columns)
    return submission_rows(submission, submission_file(submission)).select(columns)


def staging_purge(*, limit: int = 20) -> int:
    """Delete the staged rows and kept frames of finished submissions (they are kept only until
    a decision), a few submissions at a time so the purge never holds long locks."""
    # An accepted submission's rows are applied at its release: kept until it is published.
    decided = Q(status__in=[Status.REJECTED, Status.VALIDATED]) | Q(
        status=Status.ACCEPTED, release__status="PUBLISHED"
    )
    ids = list(
        Submission.objects.filter(
            decided, validated_at__isnull=False, staged_rows_purged=False
        ).values_list("pk", flat=True)[:limit]
    )
    with connection.cursor() as cursor:
        for submission_id in ids:
            cursor.execute(
                "DELETE FROM indices_submissionrow WHERE submission_id = %s", [submission_id]
            )
            kept_rows_path(submission_id).unlink(missing_ok=True)
            # Kept by versions before the Arrow file; publication reads their files again.
            kept_rows_path(submission_id).with_suffix(".parquet").unlink(missing_ok=True)
    Submission.objects.filter(pk__in=ids).update(staged_rows_purged=True)
    return len(ids)
