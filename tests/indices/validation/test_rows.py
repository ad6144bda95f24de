"""E02 (row part), E03, E04, E05, E06, E08 and the cap, against the staging table."""

from __future__ import annotations

from countries.models import ConcordanceEntry, ConcordanceVersion
from indices.models import Finding, SubmissionRow
from tests.indices.validation.helpers import RuleTestCase, raw


class LoadRowsTests(RuleTestCase):
    def test_loads_raw_and_normalized_columns_with_progress(self):
        progress: list[int] = []
        rows = [raw(i + 2, "2024-01", "100", activity=str(i % 3 + 5)) for i in range(5)]
        from indices.validation.normalize import Normalizer
        from indices.validation.staging import load_rows
        from tests.indices.validation.helpers import STANDARD

        loaded = load_rows(
            submission_id=self.submission.id,
            rows=iter(rows),
            normalizer=Normalizer(standard=STANDARD, concordance={}),
            on_progress=progress.append,
            progress_every=2,
        )
        self.assertEqual(loaded, 5)
        self.assertEqual(progress, [2, 4, 5])
        staged = SubmissionRow.objects.get(submission=self.submission, row_no=2)
        self.assertEqual((staged.activity, staged.activity_n), ("5", "05"))
        self.assertEqual((staged.series_id, staged.period_label), ("M.TH.05.N", "2024-01"))


class LoadRowsTextTests(RuleTestCase):
    def test_cells_copy_must_escape_and_values_that_are_not_plain_decimals(self):
        rows = [
            raw(2, "2024-01", "101.25", comment="tab\there, back\\slash, line\nbreak\r"),
            raw(3, "2024-02", "1.5e2", nat_code="\\N"),
            raw(4, "2024-03", "", obs_status="M"),
            raw(5, "2024-13", "-3", base_per="x\ty"),
            raw(6, "2024-04", "007.50"),
        ]
        self.assertEqual(self.load(rows), 5)
        staged = {r.row_no: r for r in SubmissionRow.objects.filter(submission=self.submission)}
        self.assertEqual(staged[2].comment, "tab\there, back\\slash, line\nbreak\r")
        self.assertEqual(staged[2].value_n, 101.25)
        self.assertEqual((staged[3].nat_code, staged[3].value_n), ("\\N", 150.0))
        self.assertEqual(staged[3].series_id, "M.TH.C.N")
        self.assertEqual((staged[4].obs_value, staged[4].value_n), ("", None))
        self.assertEqual((staged[4].status_n, staged[4].period_label), ("M", "2024-03"))
        self.assertEqual((staged[5].value_n, staged[5].period_start), (-3.0, None))
        self.assertEqual((staged[5].base_per, staged[5].base_year), ("x\ty", None))
        self.assertEqual(staged[6].value_n, 7.5)

    def test_series_id_with_characters_copy_must_escape(self):
        self.load([raw(2, activity="", nat_code="A\\B\tC")])
        staged = SubmissionRow.objects.get(submission=self.submission)
        self.assertEqual(staged.series_id, "M.TH.NAT:A\\B\tC.N")


class E02Tests(RuleTestCase):
    def test_neither_or_both(self):
        total, found = self.run_rule(
            "E02",
            [raw(2), raw(3, activity=""), raw(4, activity="C", nat_code="1011")],
        )
        self.assertEqual(total, 2)
        self.assertEqual([f.row for f in found], [3, 4])
        self.assertIn("neither ACTIVITY nor NAT_CODE", found[0].message)
        self.assertEqual(found[1].value, "C / 1011")
        self.assertIn("both ACTIVITY 'C' and NAT_CODE '1011'", found[1].message)
        self.assertEqual(found[1].severity, "error")

    def test_one_of_them(self):
        self.assertNoFindings("E02", [raw(2), raw(3, activity="", nat_code="1011")])


class E03Tests(RuleTestCase):
    def test_codes_outside_codelists(self):
        total, found = self.run_rule(
            "E03",
            [
                raw(2, activity="X1"),
                raw(3, adjustment="Z"),
                raw(4, freq="A"),
                raw(5, obs_status="Q"),
                raw(6, activity="", nat_code="9999"),
            ],
        )
        self.assertEqual(total, 5)
        by_column = {f.column: f for f in found}
        self.assertEqual(by_column["ACTIVITY"].value, "X1")
        self.assertIn("'X1' is not in CL_ACTIVITY_ISIC4", by_column["ACTIVITY"].message)
        self.assertIn("use N, S, W, Y, T", by_column["ADJUSTMENT"].message)
        self.assertIn("FREQ 'A' is not accepted", by_column["FREQ"].message)
        self.assertIn("OBS_STATUS 'Q'", by_column["OBS_STATUS"].message)
        self.assertEqual(by_column["ACTIVITY"].series_key, "M.TH.X1.N")
        # No concordance stored for Thailand: the message says so.
        self.assertIn("TH has no concordance", by_column["NAT_CODE"].message)

    def test_unknown_national_code_with_a_concordance(self):
        version = ConcordanceVersion.objects.create(classification_id="TSIC2009", version=1)
        ConcordanceEntry.objects.create(version=version, national_code="1011", isic_code="10")
        _, found = self.run_rule("E03", [raw(2, activity="", nat_code="9999")])
        self.assertIn("'9999' is not in the concordance of TSIC2009", found[0].message)
        self.assertEqual(found[0].series_key, "M.TH.NAT:9999.N")

    def test_valid_codes(self):
        self.assertNoFindings(
            "E03",
            [
                raw(2, activity="5"),
                raw(3, activity="B-E", adjustment="S", obs_status="P"),
                raw(4, activity="", nat_code="1011"),
                raw(5, "2024-Q1", freq="Q", activity="b_c"),
            ],
        )


class E04Tests(RuleTestCase):
    def test_other_country(self):
        total, found = self.run_rule("E04", [raw(2), raw(3, ref_area="VN"), raw(4, ref_area="")])
        self.assertEqual(total, 2)
        self.assertIn("'VN' is not your country: TH_OIE reports TH only", found[0].message)
        self.assertIn("REF_AREA is empty", found[1].message)

    def test_own_country(self):
        self.assertNoFindings("E04", [raw(2), raw(3, ref_area="th")])


class E05Tests(RuleTestCase):
    def test_malformed_and_future(self):
        total, found = self.run_rule(
            "E05",
            [
                raw(2, "2024/01"),
                raw(3, "2024-Q1"),
                raw(4, "2024-07"),
                raw(5, "2024-Q3", freq="Q"),
                raw(6, "2024-06"),
                raw(7, "2024-Q2", freq="Q"),
            ],
        )
        self.assertEqual(total, 4)
        self.assertEqual([f.row for f in found], [2, 3, 4, 5])
        self.assertIn("'2024/01' is not a month (FREQ M): write 2024-01", found[0].message)
        self.assertIn("'2024-Q1' is a quarter but FREQ is M", found[1].message)
        self.assertIn("2024-07 is later than the current period 2024-06", found[2].message)
        self.assertIn("2024-Q3 is later than the current period 2024-Q2", found[3].message)

    def test_a_quarter_with_freq_m_or_a_month_with_freq_q_names_the_freq(self):
        total, found = self.run_rule(
            "E05",
            [
                raw(2, "2024-Q2"),
                raw(3, "2024q2", freq="M"),
                raw(4, "2024-04", freq="Q"),
                raw(5, "2024M04", freq="q"),
            ],
        )
        self.assertEqual(total, 4)
        self.assertEqual(
            [f.message for f in found],
            [
                "TIME_PERIOD '2024-Q2' is a quarter but FREQ is M (an empty FREQ means M): set "
                "FREQ to Q on this row, or give a month such as 2024-01",
                "TIME_PERIOD '2024q2' is a quarter but FREQ is M: set FREQ to Q on this row, or "
                "give a month such as 2024-01",
                "TIME_PERIOD '2024-04' is a month but FREQ is Q: set FREQ to M on this row (or "
                "leave it empty), or give a quarter such as 2024-Q1",
                "TIME_PERIOD '2024M04' is a month but FREQ is Q: set FREQ to M on this row (or "
                "leave it empty), or give a quarter such as 2024-Q1",
            ],
        )

    def test_spreadsheet_cell_reference(self):
        _, found = self.run_rule(
            "E05",
            [raw(9, "2024-13", sheet="IPI")],
            is_spreadsheet=True,
            columns={"TIME_PERIOD": "C", "OBS_VALUE": "D"},
        )
        self.assertEqual(
            (found[0].sheet, found[0].cell, found[0].column), ("IPI", "C9", "TIME_PERIOD")
        )

    def test_current_and_past_periods(self):
        self.assertNoFindings(
            "E05", [raw(2, "2024M06"), raw(3, "1995-M01"), raw(4, "2024Q2", freq="Q")]
        )


class E06Tests(RuleTestCase):
    def test_bad_values(self):
        total, found = self.run_rule(
            "E06",
            [
                raw(2, obs_value="1,234.5", value_cell="F2"),
                raw(3, obs_value="NaN"),
                raw(4, obs_value="0"),
                raw(5, obs_value="-2.5"),
                raw(6, obs_value=""),
                raw(7, obs_value="101", obs_status="M"),
            ],
        )
        self.assertEqual(total, 6)
        messages = [f.message for f in found]
        self.assertEqual(
            messages[0], "OBS_VALUE '1,234.5' has a thousands separator: remove it, write 1234.5"
        )
        self.assertIn("'NaN' is not a finite number", messages[1])
        self.assertIn("'0' is not above 0", messages[2])
        self.assertIn("'-2.5' is not above 0", messages[3])
        self.assertIn("OBS_VALUE is empty", messages[4])
        self.assertIn("OBS_STATUS M, which means missing", messages[5])
        self.assertEqual((found[0].column, found[0].value), ("OBS_VALUE", "1,234.5"))

    def test_numbers_written_with_a_comma_are_told_how_to_write_them(self):
        values = {
            "121,4": "OBS_VALUE '121,4' has a decimal comma: use a decimal point, write 121.4",
            "100,12": "OBS_VALUE '100,12' has a decimal comma: use a decimal point, write 100.12",
            "98,1234": "OBS_VALUE '98,1234' has a decimal comma: use a decimal point, write "
            "98.1234",
            "1,234": "OBS_VALUE '1,234' has a comma: write 1.234 if it is a decimal comma, or "
            "1234 if it separates thousands (use a decimal point and no thousands separator)",
            "12,345,678.9": "OBS_VALUE '12,345,678.9' has a thousands separator: remove it, "
            "write 12345678.9",
            "1.234,5": "OBS_VALUE '1.234,5' has a thousands separator and a decimal comma: "
            "write 1234.5",
            "1,2,3": "OBS_VALUE '1,2,3' is not a number: use a point for decimals and no "
            "thousands separator, e.g. 1234.5",
            "12.3.4": "OBS_VALUE '12.3.4' is not a number: use a point for decimals and no "
            "thousands separator, e.g. 1234.5",
        }
        rows = [raw(i + 2, obs_value=value) for i, value in enumerate(values)]
        total, found = self.run_rule("E06", rows)
        self.assertEqual(total, len(values))
        self.assertEqual({f.value: f.message for f in found}, values)

    def test_value_cell_is_the_cell_for_obs_value(self):
        _, found = self.run_rule(
            "E06", [raw(2, obs_value="x", value_cell="AB7", sheet="S1")], is_spreadsheet=True
        )
        self.assertEqual((found[0].sheet, found[0].cell), ("S1", "AB7"))

    def test_good_values_and_missing(self):
        self.assertNoFindings(
            "E06", [raw(2, obs_value="0.5"), raw(3, obs_value="", obs_status="L")]
        )


class E08Tests(RuleTestCase):
    def test_bad_and_mixed_base_years(self):
        total, found = self.run_rule(
            "E08",
            [
                raw(2, "2024-01", base_per="21"),
                raw(3, "2024-01", activity="10", base_per="1985"),
                raw(4, "2024-01", activity="11", base_per="2025"),
                raw(5, "2024-01", activity="12", base_per="2021"),
                raw(6, "2024-02", activity="12", base_per="2016"),
            ],
        )
        self.assertEqual(total, 4)
        self.assertIn("'21' is not a year", found[0].message)
        self.assertIn("1985 is outside 1990-2024", found[1].message)
        self.assertIn("2025 is outside 1990-2024", found[2].message)
        self.assertEqual(found[3].row, 6)
        self.assertIn(
            "2016 differs from 2021 on row 5 of the same series M.TH.12.N", found[3].message
        )

    def test_one_base_per_series(self):
        self.assertNoFindings(
            "E08", [raw(2, "2024-01"), raw(3, "2024-02"), raw(4, activity="10", base_per="2016")]
        )


class CapTests(RuleTestCase):
    def test_stores_at_most_cap_and_counts_all(self):
        total, found = self.run_rule("E06", [raw(i + 2, obs_value="1,0") for i in range(1500)])
        self.assertEqual(total, 1500)
        self.assertEqual(len(found), 1000)
        self.assertEqual(Finding.objects.filter(submission=self.submission).count(), 1000)
        self.assertEqual(min(f.row for f in found), 2)
        self.assertEqual(max(f.row for f in found), 1001)
