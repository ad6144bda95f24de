"""A submission's rows are read and normalized once: validation keeps them, publication applies
what was kept without opening the file again, and the sweeper purges them once published."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path
from unittest import mock

from django.test import TestCase

from countries.models import Agency
from indices.national.models import NationalObservation
from indices.publish.releases import releases_publish_due
from indices.publish.services.national import FRAME_COLUMNS
from indices.receive.files import stored_path
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate import rows as submission_rows
from indices.validate.models import Finding, SubmissionRow
from indices.validate.rows import KEPT_COLUMNS, kept_rows, kept_rows_path, staging_purge
from indices.validate.rules.shared import rows_in_series_order, valid_rows
from indices.validate.services import submission_validate
from tests.indices.publishing import accept, csv_for, in_this_process, monthly_csv, year_2021
from tests.indices.validate.helpers import RuleTestCase, raw, series


class SubmissionRowsTests(TestCase):
    def setUp(self):
        self.submission = accept(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110}))

    def stored(self) -> int:
        return NationalObservation.objects.filter(submission=self.submission).count()

    def test_validation_keeps_the_normalized_rows_of_an_accepted_submission(self):
        kept = kept_rows_path(self.submission.pk)
        self.assertTrue(kept.exists())
        frame = kept_rows(self.submission.pk)
        self.assertEqual(frame.height, 13)
        self.assertEqual(max(frame["period_start"].to_list()), date(2022, 1, 1))
        # Only what a stored value is made of, all of which publication reads.
        self.assertEqual(frame.columns, list(KEPT_COLUMNS))
        self.assertLessEqual(set(FRAME_COLUMNS), set(KEPT_COLUMNS))

    def test_publication_applies_the_kept_rows_without_parsing_the_file(self):
        with mock.patch.object(
            submission_rows, "parse_file", side_effect=AssertionError("parsed again")
        ):
            (release_id,) = releases_publish_due()
        self.assertEqual(release_id, self.submission.release.pk)
        self.assertEqual(self.stored(), 13)
        # straight from the kept frame: nothing staged on the way (issue #14)
        self.assertFalse(SubmissionRow.objects.filter(submission=self.submission).exists())

    def test_without_the_kept_rows_publication_reads_the_file_again(self):
        kept = kept_rows_path(self.submission.pk)
        kept.unlink()
        self.assertTrue(Path(stored_path(self.submission.sha256)).exists())
        self.assertEqual(releases_publish_due(), [self.submission.release.pk])
        self.assertEqual(self.stored(), 13)

    def test_the_purge_removes_staged_and_kept_rows_once_published(self):
        releases_publish_due()
        self.assertEqual(staging_purge(), 1)
        self.assertFalse(kept_rows_path(self.submission.pk).exists())
        self.assertFalse(SubmissionRow.objects.filter(submission=self.submission).exists())


class RejectedRowsTests(TestCase):
    def test_a_rejected_submission_keeps_no_rows(self):
        submission, _ = submission_create(
            agency=Agency.objects.get(pk="TH_OIE"),
            credential=None,
            chunks=[b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE\nTH,C,2021-01,abc\n"],
            original_name="bad.csv",
            media_type="text/csv",
            options=SubmissionOptions(),
        )
        self.assertEqual(submission_validate(submission.pk), "REJECTED")
        self.assertFalse(kept_rows_path(submission.pk).exists())


class KeptOrderTests(TestCase):
    def test_rows_in_random_order_are_kept_in_series_and_period_order(self):
        header, *body = csv_for(3, range(2021, 2023)).decode().splitlines()
        shuffled = random.Random(3).sample(body, len(body))
        submission = accept(("\n".join([header, *shuffled]) + "\n").encode())
        frame = kept_rows(submission.pk)
        # Every row of the file, each once...
        self.assertEqual(sorted(frame["row_no"].to_list()), list(range(2, len(body) + 2)))
        # ... each series' rows together, period after period.
        runs = [key for key, _ in itertools.groupby(frame["series_id"].to_list())]
        self.assertEqual(len(runs), len(set(runs)))
        self.assertEqual(len(runs), 3)
        periods = frame.group_by("series_id", maintain_order=True).agg("period_start")
        for _, months in periods.rows():
            self.assertEqual(months, sorted(months))
            self.assertEqual(len(months), 24)
        # ... as they were in the file.
        by_row = {row: line for row, line in zip(range(2, len(body) + 2), shuffled, strict=True)}
        for row_no, value, period in frame.select("row_no", "value_n", "period_start").rows():
            self.assertEqual(float(by_row[row_no].split(",")[4]), value)
            self.assertEqual(by_row[row_no].split(",")[3], period.strftime("%Y-%m"))


class RowsInSeriesOrderTests(RuleTestCase):
    def test_the_rows_as_given_unless_each_is_valid_and_alone_in_its_period(self):
        rows = series([100.0, 101.0], start="2024-02")
        rows += series([99.0], start="2024-01", first_row=4)
        self.load(rows)
        ordered = rows_in_series_order(self.context())
        self.assertEqual(ordered["row_no"].to_list(), [4, 2, 3])
        # A second value of a period: not every row is a valid row, the file's order is kept.
        self.load([*rows, raw(5, "2024-01", "98")])
        self.assertEqual(rows_in_series_order(self.context())["row_no"].to_list(), [2, 3, 4, 5])
        # Nor where a row is not valid.
        self.load([*rows, raw(5, "2024-05", "abc")])
        self.assertEqual(rows_in_series_order(self.context())["row_no"].to_list(), [2, 3, 4, 5])


class RowsReorderedTests(RuleTestCase):
    def test_every_row_valid_and_alone_puts_the_context_rows_in_series_order(self):
        rows = series([100.0, 101.0, 102.0], start="2024-02")
        rows += series([99.0, 98.0], start="2024-01", first_row=5, activity="D")
        self.load(random.Random(5).sample(rows, len(rows)))
        context = self.context()
        as_given = context.rows
        valid_rows(context)
        # The same rows, every column of them, now series by series, period after period.
        self.assertEqual(context.rows.columns, as_given.columns)
        self.assertTrue(context.rows.sort("row_no").equals(as_given.sort("row_no")))
        self.assertTrue(context.rows.equals(as_given.sort("sk", "mi")))
        self.assertFalse(as_given.equals(as_given.sort("sk", "mi")))

    def test_otherwise_the_context_keeps_the_rows_as_given(self):
        rows = series([100.0, 101.0, 102.0], start="2024-02")
        for extra in (raw(5, "2024-02", "98"), raw(5, "2024-07", "abc")):
            self.load([rows[2], rows[0], rows[1], extra])
            context = self.context()
            valid_rows(context)
            self.assertEqual(context.rows["row_no"].to_list(), [4, 2, 3, 5])


class ShuffledFindingsTests(TestCase):
    def test_a_file_in_random_order_has_the_findings_of_the_same_file_in_order(self):
        header, *body = csv_for(4, range(2019, 2024)).decode().splitlines()
        # A jump (W03) and a gap (W05) in the first series: findings that point at a row by
        # its period (W06 points at a flat run's first row in the file, which moves with it).
        body[20] = body[20].rsplit(",", 2)[0] + ",180.0000,2021"
        del body[40:43]
        findings = []
        for lines in (body, random.Random(7).sample(body, len(body))):
            with in_this_process():
                submission, _ = submission_create(
                    agency=Agency.objects.get(pk="TH_OIE"),
                    credential=None,
                    chunks=[("\n".join([header, *lines]) + "\n").encode()],
                    original_name="t.csv",
                    media_type="text/csv",
                    options=SubmissionOptions(),
                )
                submission_validate(submission.pk)
            # Each row's findings, by its line's text rather than its number.
            text_of = dict(zip(range(2, len(lines) + 2), lines, strict=True))
            findings.append(
                sorted(
                    (
                        f.rule_id,
                        text_of.get(f.row),
                        f.column,
                        f.value,
                        f.series_key,
                        f.time_period,
                        f.message,
                    )
                    for f in Finding.objects.filter(submission=submission)
                )
            )
        self.assertTrue({rule for rule, *_ in findings[0]} >= {"W03", "W05"})
        self.assertEqual(findings[1], findings[0])
