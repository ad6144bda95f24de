"""Staging for publication: the rows frame COPYed into indices_submissionrow, raw text exactly
as read beside the normalized values."""

from __future__ import annotations

import datetime as dt

from indices.validate.models import SubmissionRow
from indices.validate.staging import stage_rows
from tests.indices.validate.helpers import RuleTestCase, raw


class StageRowsTests(RuleTestCase):
    def stage(self, rows) -> dict[int, SubmissionRow]:
        self.load(rows)
        self.assertEqual(stage_rows(submission_id=self.submission.id, rows=self.frame), len(rows))
        return {r.row_no: r for r in SubmissionRow.objects.filter(submission=self.submission)}

    def test_raw_and_normalized_columns(self):
        staged = self.stage(
            [raw(i + 2, "2024-01", "100", activity=str(i % 3 + 5)) for i in range(5)]
        )
        self.assertEqual((staged[2].activity, staged[2].activity_n), ("5", "05"))
        self.assertEqual((staged[2].series_id, staged[2].period_label), ("M.TH.05.N", "2024-01"))
        self.assertEqual((staged[2].period_start, staged[2].base_year), (dt.date(2024, 1, 1), 2021))
        self.assertEqual((staged[2].freq_n, staged[2].status_n), ("M", "A"))

    def test_cells_csv_must_quote_and_values_that_are_not_plain_decimals(self):
        staged = self.stage(
            [
                raw(
                    2,
                    "2024-01",
                    "101.25",
                    comment='tab\there, "quoted", back\\slash, line\nbreak\r',
                ),
                raw(3, "2024-02", "1.5e2", nat_code="\\N"),
                raw(4, "2024-03", "", obs_status="M"),
                raw(5, "2024-13", "-3", base_per="x\ty"),
                raw(
                    6,
                    "2024-04",
                    "007.50",
                    comment="\u0e14\u0e31\u0e0a\u0e19\u0e35, \u0e44\u0e17\u0e22",
                ),
                raw(7, "2024-05", "0.1", comment=""),
            ]
        )
        self.assertEqual(staged[2].comment, 'tab\there, "quoted", back\\slash, line\nbreak\r')
        self.assertEqual(staged[2].value_n, 101.25)
        self.assertEqual((staged[3].nat_code, staged[3].value_n), ("\\N", 150.0))
        self.assertEqual(staged[3].series_id, "M.TH.C.N")
        self.assertEqual((staged[4].obs_value, staged[4].value_n), ("", None))
        self.assertEqual((staged[4].status_n, staged[4].period_label), ("M", "2024-03"))
        self.assertEqual((staged[5].value_n, staged[5].period_start), (-3.0, None))
        self.assertEqual((staged[5].base_per, staged[5].base_year), ("x\ty", None))
        self.assertEqual(staged[6].value_n, 7.5)
        self.assertEqual(staged[6].comment, "\u0e14\u0e31\u0e0a\u0e19\u0e35, \u0e44\u0e17\u0e22")
        self.assertEqual((staged[7].value_n, staged[7].comment), (0.1, ""))

    def test_series_id_with_characters_csv_must_quote(self):
        staged = self.stage([raw(2, activity="", nat_code='A\\B\tC,"D"')])
        self.assertEqual(staged[2].series_id, 'M.TH.NAT:A\\B\tC,"D".N')

    def test_values_keep_every_bit(self):
        values = [0.1 + 0.2, 1e-6, 123456789.12345679, 1 / 3, 99.99999999999999]
        staged = self.stage(
            [raw(i + 2, f"2024-{i + 1:02d}", repr(v)) for i, v in enumerate(values)]
        )
        self.assertEqual([staged[i + 2].value_n for i in range(len(values))], values)
