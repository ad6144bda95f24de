"""Storing a submission without the staging table (issue #14). The national store after the new
path (the kept frame COPYed in binary: straight into the store at a first load, through a
temporary table otherwise) holds exactly what the former path stored, which staged the rows in
indices_submissionrow and inserted from there: every column, each value's 8 bytes, and the
count, for a first load, a merge over stored series, a replace, a delete, and a submission
whose frame was not kept. Both paths run in the same transaction (rolled back between)."""

from __future__ import annotations

import math
import struct
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from unittest import mock

import polars as pl
from django.db import connection, transaction
from django.db.models import Max, Min
from django.test import TestCase

from indices.national import copy_in
from indices.national.copy_in import binary_copy
from indices.publish.services.national import FRAME_COLUMNS, national_store_apply
from indices.publish.services.publication import _given
from indices.publish.services.windowed import Given
from indices.receive.models import Submission
from indices.receive.parsing.base import RAW_COLUMNS
from indices.validate.models import SubmissionRow
from indices.validate.rows import (
    kept_rows_path,
    publication_rows,
    submission_file,
    submission_rows,
)
from indices.validate.staging import NORMALIZED_COLUMNS, stage_rows
from tests.indices.publishing import accept, thai_concordance

HEADER = "REF_AREA,NAT_CODE,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER,COMMENT"
CODES = {"N01": ("10", "2"), "N02": ("10", "3"), "N05": ("11", "4")}
COMMENTS = ["", "ทดสอบ: โรงงานปิด", 'closed, "maintenance" <2 weeks>\\N & restart', " "]

# The former path (services/national.py before issue #14), from the staged rows, written for
# the store's layout of migration 0020 (its series numbered in a table of their own).
FORMER_SERIES = """
INSERT INTO indices_nationalseries (agency_id, series_id, freq, ref_area, nat_code, adjustment)
SELECT DISTINCT %(agency)s, series_id, freq_n, upper(ref_area), nat_code, adjustment_n
FROM indices_submissionrow
WHERE submission_id = %(submission)s AND series_id IS NOT NULL
ON CONFLICT (agency_id, series_id) DO NOTHING
"""
FORMER_UPSERT = """
INSERT INTO indices_nationalobservation
    (value, submission_id, series_no, period_start, row_no, base_year, status, activity,
     comment)
SELECT given.value_n, given.submission_id, series.id, given.period_start, given.row_no,
       given.base_year, given.status_n, given.activity_n, given.comment
FROM indices_submissionrow AS given
JOIN indices_nationalseries AS series
  ON series.agency_id = %(agency)s AND series.series_id = given.series_id
WHERE given.submission_id = %(submission)s
ORDER BY series.id, given.period_start, given.base_year
ON CONFLICT (series_no, period_start, base_year) DO UPDATE SET
    value = EXCLUDED.value, submission_id = EXCLUDED.submission_id, row_no = EXCLUDED.row_no,
    status = EXCLUDED.status, activity = EXCLUDED.activity, comment = EXCLUDED.comment
"""
FORMER_DELETE_RANGES = """
DELETE FROM indices_nationalobservation AS stored
USING (
    SELECT series.id AS series_no, base_year, min(period_start) AS first,
           max(period_start) AS last
    FROM indices_submissionrow AS given
    JOIN indices_nationalseries AS series
      ON series.agency_id = %(agency)s AND series.series_id = given.series_id
    WHERE given.submission_id = %(submission)s
    GROUP BY series.id, base_year
) AS given
WHERE stored.series_no = given.series_no AND stored.base_year = given.base_year
  AND stored.period_start BETWEEN given.first AND given.last
"""
FORMER_DELETE_GIVEN = """
DELETE FROM indices_nationalobservation AS stored
USING indices_submissionrow AS given
JOIN indices_nationalseries AS series
  ON series.agency_id = %(agency)s AND series.series_id = given.series_id
WHERE given.submission_id = %(submission)s AND stored.series_no = series.id
  AND stored.base_year = given.base_year AND stored.period_start = given.period_start
"""
# Every column a value had before migration 0020 (but the time it was written), its series'
# among them.
STORED = """
SELECT s.agency_id, s.series_id, s.freq, s.ref_area, n.activity, s.nat_code, s.adjustment,
       n.period_start, to_char(n.period_start, 'YYYY-MM'), float8send(n.value), n.status,
       n.base_year, n.comment, n.submission_id, n.row_no
FROM indices_nationalobservation AS n JOIN indices_nationalseries AS s ON s.id = n.series_no
ORDER BY s.agency_id, s.series_id, n.period_start, n.base_year
"""


def rows_csv(
    years: range, *, codes=tuple(CODES), scale: float = 1.0, base: int = 2021, gap=None
) -> bytes:
    """Monthly values of national codes in two adjustments, with comments, a missing value
    where `gap` (year, month) is, and values whose decimals a float does not hold exactly."""
    lines = [HEADER]
    for number, code in enumerate(codes):
        for adjustment in "NS":
            for year in years:
                for month in range(1, 13):
                    value = (100 + (month - 6.5) * 0.37 + number / 20) * scale
                    shown, status = f"{value!r}", "A"
                    if (year, month) == gap:
                        shown, status = "", "M"
                    comment = COMMENTS[(month + number) % len(COMMENTS)].replace('"', '""')
                    lines.append(
                        f"TH,{code},{adjustment},{year}-{month:02d},{shown},{status},{base},"
                        f'"{comment}"'
                    )
    return ("\n".join(lines) + "\n").encode()


class StoredAsByTheStagingTableTests(TestCase):
    def setUp(self):
        thai_concordance(CODES)

    def stored(self) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(STORED)
            return cursor.fetchall()

    def former_apply(self, submission: Submission) -> int:
        # The staging table took the raw columns as well, which the kept frame does not hold.
        staged = submission_rows(submission, submission_file(submission)).select(
            *RAW_COLUMNS, *NORMALIZED_COLUMNS
        )
        stage_rows(submission_id=submission.pk, rows=staged)
        params = {"agency": submission.agency_id, "submission": submission.pk}
        with connection.cursor() as cursor:
            if submission.action == Submission.Action.DELETE:
                cursor.execute(FORMER_DELETE_GIVEN, params)
                return cursor.rowcount
            cursor.execute(FORMER_SERIES, params)
            removed = 0
            if submission.action == Submission.Action.REPLACE:
                cursor.execute(FORMER_DELETE_RANGES, params)
                removed = cursor.rowcount
            cursor.execute(FORMER_UPSERT, params)
            return removed + cursor.rowcount

    def former_given(self, submission: Submission) -> dict[tuple[str, str], Given]:
        """As publication.py aggregated the staged rows (after `former_apply`)."""
        firsts: dict[tuple[str, str], date] = {}
        bases: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
        for activity, adjustment, series_id, first, lowest, highest in (
            SubmissionRow.objects.filter(submission=submission, activity_n__isnull=False)
            .values_list("activity_n", "adjustment_n", "series_id")
            .annotate(first=Min("period_start"), lowest=Min("base_year"), highest=Max("base_year"))
            .order_by()
        ):
            firsts[(activity, adjustment)] = min(first, firsts.get((activity, adjustment), first))
            bases[(activity, adjustment)][series_id] = (lowest, highest)
        return {pair: Given(first, bases[pair]) for pair, first in firsts.items()}

    def assert_stored_as_before(self, submission: Submission, *, through_temporary: bool) -> None:
        """The new path, then (rolled back) the former one: the same store and count."""
        rows = publication_rows(submission, columns=FRAME_COLUMNS)
        with transaction.atomic():
            count = national_store_apply(submission=submission, rows=rows)
            stored = self.stored()
            given = _given(rows)
            with connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass('pg_temp.national_given') IS NOT NULL")
                self.assertEqual(cursor.fetchone()[0], through_temporary)
            self.assertFalse(SubmissionRow.objects.filter(submission=submission).exists())
            transaction.set_rollback(True)
        with transaction.atomic():
            self.assertEqual(count, self.former_apply(submission))
            self.assertEqual(stored, self.stored())
            self.assertEqual(given, self.former_given(submission))
            transaction.set_rollback(True)
        national_store_apply(submission=submission, rows=rows)  # for the next step
        self.assertTrue(stored)

    def test_a_first_load_is_copied_straight_into_the_store(self):
        submission = accept(rows_csv(range(2019, 2025), gap=(2020, 4)))
        self.assert_stored_as_before(submission, through_temporary=False)
        comments = {row[12] for row in self.stored()}
        self.assertEqual(comments, {comment.strip() for comment in COMMENTS})
        self.assertIn(None, {row[9] for row in self.stored()})  # the missing value

    def test_a_merge_over_stored_series_upserts_through_a_temporary_table(self):
        self.assert_stored_as_before(
            accept(rows_csv(range(2019, 2024), codes=("N01", "N02"))), through_temporary=False
        )
        # revised values, new months, and a code not stored yet (in the same statement)
        update = accept(rows_csv(range(2023, 2026), scale=1.001, gap=(2025, 2)))
        self.assert_stored_as_before(update, through_temporary=True)

    def test_a_replace(self):
        self.assert_stored_as_before(accept(rows_csv(range(2019, 2026))), through_temporary=False)
        replace = accept(
            rows_csv(range(2022, 2023), codes=("N02",), scale=0.999, gap=(2022, 6)),
            action="replace",
        )
        self.assert_stored_as_before(replace, through_temporary=True)

    def test_a_replace_of_everything_stored_is_a_first_load(self):
        self.assert_stored_as_before(accept(rows_csv(range(2020, 2023))), through_temporary=False)
        replace = accept(rows_csv(range(2019, 2024), scale=1.003), action="replace")
        self.assert_stored_as_before(replace, through_temporary=False)

    def test_a_delete(self):
        self.assert_stored_as_before(accept(rows_csv(range(2019, 2026))), through_temporary=False)
        delete = accept(rows_csv(range(2025, 2026), codes=("N01", "N05")), action="delete")
        self.assert_stored_as_before(delete, through_temporary=True)

    def test_a_submission_whose_frame_was_not_kept_is_read_from_its_file(self):
        first = accept(rows_csv(range(2019, 2025)))
        kept_rows_path(first.pk).unlink()
        self.assert_stored_as_before(first, through_temporary=False)
        update = accept(rows_csv(range(2024, 2026), scale=1.002))
        kept_rows_path(update.pk).unlink()
        self.assert_stored_as_before(update, through_temporary=True)


class BinaryCopyTests(TestCase):
    """national/copy_in.py: every type the store uses, NULL in each, read back as written."""

    def test_values_come_back_as_written(self):
        # laid out padded, and with a long text each byte placed by an index
        for longest in (30, 3000):
            with self.subTest(longest=longest), transaction.atomic():
                self.assert_copied_back(longest)
                transaction.set_rollback(True)

    def assert_copied_back(self, longest: int) -> None:
        at = datetime(2026, 12, 6, 17, 3, 4, 567891, tzinfo=UTC)
        floats = [0.1, -0.0, 5e-324, 1.7976931348623157e308, math.nan, math.inf, None, 100.0]
        texts = ["", "M.TH.NAT:0101.N", "ทดสอบ", None, "a\tb\nc\\N", '"', "x" * longest, "TH"]
        frame = pl.DataFrame(
            {
                "t": texts,
                "d": [date(1900, 1, 1), date(1999, 12, 31), date(2000, 1, 1), None,
                      date(2099, 12, 31), date(1985, 1, 1), date(2026, 8, 1), date(1, 1, 1)],
                "f": floats,
                "s": pl.Series([1, -1, 32767, -32768, None, 2021, 0, 7], dtype=pl.Int16),
                "i": pl.Series([1, -1, 2**31 - 1, None, 0, 5, 6, 7], dtype=pl.Int32),
                "b": pl.Series([2**40, None, -(2**63), 0, 1, 2, 3, 4], dtype=pl.Int64),
                "u": [uuid.UUID(int=n).bytes if n != 3 else None for n in range(8)],
                "ts": [at, None, datetime(1970, 1, 1, tzinfo=UTC), at, at, at, at, at],
            },
            schema_overrides={"ts": pl.Datetime("us", "UTC")},
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE copied (n serial, t text, d date, f float8, s int2, i int4,"
                " b int8, u uuid, ts timestamptz)"
            )
            with cursor.copy(
                "COPY copied (t, d, f, s, i, b, u, ts) FROM STDIN (FORMAT binary)"
            ) as copy:
                for part in binary_copy(frame):
                    copy.write(part)
            cursor.execute("SELECT t, d, float8send(f), s, i, b, u, ts FROM copied ORDER BY n")
            back = cursor.fetchall()
        for row, (t, d, f, s, i, b, u, ts) in zip(frame.iter_rows(), back, strict=True):
            self.assertEqual((t, d, s, i, b, ts), (row[0], row[1], *row[3:6], row[7]))
            self.assertEqual(u, uuid.UUID(bytes=row[6]) if row[6] else None)
            expected = None if row[2] is None else struct.pack(">d", row[2])
            self.assertEqual(None if f is None else bytes(f), expected)

    def test_many_rows_in_several_chunks(self):
        count = 250_001
        numbers = pl.int_range(count, dtype=pl.Int32)
        frame = pl.select(t=pl.format("s{}", numbers % 977), i=numbers)
        # 18 padded bytes a row: 58,254 rows a part
        with mock.patch.object(copy_in, "PADDED_BYTES", 1 << 20):
            parts = list(binary_copy(frame))
        self.assertEqual(len(parts), 2 + 5)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE many (t text, i int4)")
            with cursor.copy("COPY many (t, i) FROM STDIN (FORMAT binary)") as copy:
                for part in parts:
                    copy.write(part)
            cursor.execute(
                "SELECT count(*), count(DISTINCT t), sum(i), bool_and(t = 's' || (i % 977))"
                " FROM many"
            )
            self.assertEqual(cursor.fetchone(), (count, 977, count * (count - 1) // 2, True))
