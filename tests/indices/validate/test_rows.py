"""The row rules (E02 row part, E03, E04, E05, E06, E08) and the cap (staging: test_staging)."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.models import ConcordanceEntry, ConcordanceVersion, NationalClassification
from indices.validate.models import Finding
from indices.validate.rules import rows as row_rules
from indices.validate.rules.formatting import quote_literal
from tests.indices.validate.helpers import RuleTestCase, raw


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

    def test_messages_and_value_with_a_nat_code_column_only(self):
        total, found = self.run_rule(
            "E02",
            [raw(5, activity=""), raw(6, activity="c", nat_code="it's")],
            is_spreadsheet=True,
            columns={"NAT_CODE": "B", "TIME_PERIOD": "C"},
        )
        self.assertEqual(total, 2)
        self.assertEqual(
            [(f.column, f.cell, f.value, f.series_key) for f in found],
            [("NAT_CODE", "B5", "", "M.TH.N"), ("NAT_CODE", "B6", "c / it's", "M.TH.C.N")],
        )
        self.assertEqual(
            [f.message for f in found],
            [
                "The row has neither ACTIVITY nor NAT_CODE: give an ISIC Rev.4 code in ACTIVITY "
                "(e.g. C) or a code of your national classification in NAT_CODE",
                "The row has both ACTIVITY 'c' and NAT_CODE 'it''s': give only one of them, the "
                "ISIC code in ACTIVITY or the national code in NAT_CODE",
            ],
        )


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

    def test_the_concordances_are_read_once_per_run_and_named_in_order(self):
        NationalClassification.objects.create(id="TSIC2001", name="Old", country_id="TH")
        for classification in ("TSIC2009", "TSIC2001"):
            version = ConcordanceVersion.objects.create(classification_id=classification, version=1)
            ConcordanceEntry.objects.create(version=version, national_code="1011", isic_code="10")
        rows = [raw(i + 2, activity="", nat_code=f"9{i}") for i in range(50)]
        with CaptureQueriesContext(connection) as queries:
            total, found = self.run_rule("E03", rows)
        self.assertEqual(total, 50)
        concordance_reads = [q for q in queries if "countries_concordanceentry" in q["sql"]]
        self.assertEqual(len(concordance_reads), 1)
        self.assertEqual(
            found[0].message,
            "NAT_CODE '90' is not in the concordance of TSIC2001, TSIC2009: check the code, or "
            "ask the secretariat to add it to the concordance",
        )

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

    def test_every_bad_column_of_a_row_is_a_finding_in_column_order(self):
        total, found = self.run_rule(
            "E03",
            [
                raw(2, activity="x", adjustment="z", freq="a", obs_status="q", nat_code="1011"),
                raw(3, activity="", nat_code="99\\9"),
            ],
            is_spreadsheet=True,
            columns={"ACTIVITY": "A", "NAT_CODE": "B", "FREQ": "C", "OBS_STATUS": "D"},
        )
        self.assertEqual(total, 5)
        self.assertEqual(
            [(f.row, f.column, f.cell, f.value) for f in found],
            [
                (2, "ACTIVITY", "A2", "x"),
                (2, "ADJUSTMENT", "", "z"),
                (2, "FREQ", "C2", "a"),
                (2, "OBS_STATUS", "D2", "q"),
                (3, "NAT_CODE", "B3", "99\\9"),
            ],
        )
        self.assertEqual(
            [f.message for f in found],
            [
                "ACTIVITY 'x' is not in CL_ACTIVITY_ISIC4: use a section B, C, D or E, a "
                "division 05 to 39, or B-E / B_C; a national code goes in NAT_CODE",
                "ADJUSTMENT 'z' is not in CL_ADJUSTMENT: use N, S, W, Y, T, or leave it empty "
                "for N",
                "FREQ 'a' is not accepted in an upload: use M (monthly) or Q (quarterly), or "
                "leave it empty for M; annual values are derived",
                "OBS_STATUS 'q' is not in CL_OBS_STATUS: use A, P, E, B, I, M, L, O, U, or leave "
                "it empty for A",
                "NAT_CODE E'99\\\\9' cannot be mapped: TH has no concordance of its national "
                "classification to ISIC yet. Ask the secretariat to load it, or report ISIC codes "
                "in ACTIVITY",
            ],
        )

    def test_a_national_code_is_checked_only_without_an_activity(self):
        # An unknown ACTIVITY beside a known NAT_CODE is an ACTIVITY finding (E02 cites both);
        # an unknown NAT_CODE beside an ACTIVITY is not looked up.
        total, found = self.run_rule(
            "E03", [raw(2, activity="X", nat_code="1011"), raw(3, activity="C", nat_code="99")]
        )
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].column), (2, "ACTIVITY"))

    def test_a_division_written_without_its_zero_or_in_lower_case(self):
        self.assertNoFindings("E03", [raw(2, activity="9"), raw(3, activity="b-e")])
        total, found = self.run_rule("E03", [raw(4, activity="1"), raw(5, activity="05 ")])
        self.assertEqual(total, 2)
        self.assertEqual([f.value for f in found], ["1", "05 "])


class E04Tests(RuleTestCase):
    def test_other_country(self):
        total, found = self.run_rule("E04", [raw(2), raw(3, ref_area="VN"), raw(4, ref_area="")])
        self.assertEqual(total, 2)
        self.assertIn("'VN' is not your country: TH_OIE reports TH only", found[0].message)
        self.assertIn("REF_AREA is empty", found[1].message)

    def test_own_country(self):
        self.assertNoFindings("E04", [raw(2), raw(3, ref_area="th")])

    def test_any_text_is_stored_as_it_was_written(self):
        # Findings are stored with COPY, whose text format escapes tabs, line ends, backslashes.
        odd = "T\tH\\N\\x\n\u0e44\\."
        for text in (odd, "ก\tข\r\nค", "\\", "x\\N"):
            Finding.objects.all().delete()
            _, [finding] = self.run_rule("E04", [raw(2, ref_area=text)])
            self.assertEqual(finding.value, text)
            self.assertIn(f"REF_AREA {quote_literal(text)} is not your country", finding.message)


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

    def test_empty_period_and_wrong_shapes(self):
        total, found = self.run_rule(
            "E05",
            [
                raw(2, ""),
                raw(3, "", freq="Q"),
                raw(4, "2024-1", freq="Q"),
                raw(5, "2024-Q2\n"),
                raw(6, "2024-Q5"),
                raw(7, "2024-13", freq="Q"),
                raw(8, "it's"),
                raw(9, "2024-01", freq="A"),
            ],
        )
        self.assertEqual(total, 7)
        self.assertEqual(
            [(f.row, f.message) for f in found],
            [
                (2, "TIME_PERIOD is empty: give the period, e.g. 2024-01"),
                (3, "TIME_PERIOD is empty: give the period, e.g. 2024-Q1"),
                (
                    4,
                    "TIME_PERIOD '2024-1' is not a quarter (FREQ Q): write 2024-Q1 (also "
                    "accepted: 2024Q1)",
                ),
                (
                    5,
                    "TIME_PERIOD '2024-Q2\n' is not a month (FREQ M): write 2024-01 (also "
                    "accepted: 2024M01, 2024-M01)",
                ),
                (
                    6,
                    "TIME_PERIOD '2024-Q5' is not a month (FREQ M): write 2024-01 (also "
                    "accepted: 2024M01, 2024-M01)",
                ),
                (
                    7,
                    "TIME_PERIOD '2024-13' is a month but FREQ is Q: set FREQ to M on this row "
                    "(or leave it empty), or give a quarter such as 2024-Q1",
                ),
                (
                    8,
                    "TIME_PERIOD 'it''s' is not a month (FREQ M): write 2024-01 (also accepted: "
                    "2024M01, 2024-M01)",
                ),
            ],
        )

    def test_a_future_period_message_in_full(self):
        _, found = self.run_rule("E05", [raw(2, "2025m1".replace("m1", "M01"))])
        self.assertEqual(
            found[0].message,
            "TIME_PERIOD 2025-01 is later than the current period 2024-06: only periods that "
            "have started can be reported; check the year and the month",
        )
        self.assertEqual((found[0].value, found[0].time_period), ("2025M01", "2025M01"))


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

    def test_full_messages_of_the_other_cases(self):
        total, found = self.run_rule(
            "E06",
            [
                raw(2, obs_value="", obs_status="A"),
                raw(3, obs_value="", obs_status="x"),
                raw(4, obs_value="-inf"),
                raw(5, obs_value="+Infinity"),
                raw(6, obs_value="1e999"),
                raw(7, obs_value="\u0131nf"),
                raw(8, obs_value="1,5\n"),
                raw(9, obs_value="2000000000"),
                raw(10, obs_value="0.0000001"),
                raw(11, obs_value="x", obs_status="o"),
                raw(12, obs_value="100", obs_status="x"),
            ],
        )
        self.assertEqual(total, 10)
        empty = (
            "OBS_VALUE is empty: give the index value, or mark the observation as missing with "
            "OBS_STATUS L, M, O"
        )
        not_a_number = (
            "is not a number: use a point for decimals and no thousands separator, e.g. 1234.5"
        )
        self.assertEqual(
            [(f.row, f.message) for f in found],
            [
                (2, empty),
                (3, empty),
                (
                    4,
                    "OBS_VALUE '-inf' is not a finite number: give the index value, or leave it "
                    "empty with OBS_STATUS L, M, O",
                ),
                (
                    5,
                    "OBS_VALUE '+Infinity' is not a finite number: give the index value, or "
                    "leave it empty with OBS_STATUS L, M, O",
                ),
                (6, f"OBS_VALUE '1e999' {not_a_number}"),
                (7, f"OBS_VALUE '\u0131nf' {not_a_number}"),
                (8, f"OBS_VALUE '1,5\n' {not_a_number}"),
                (
                    9,
                    "OBS_VALUE '2000000000' is not a plausible index level (the exchange accepts "
                    "0.000001 to 1000000000): check the value and its decimal point",
                ),
                (
                    10,
                    "OBS_VALUE '0.0000001' is not a plausible index level (the exchange accepts "
                    "0.000001 to 1000000000): check the value and its decimal point",
                ),
                (
                    11,
                    "OBS_VALUE 'x' is given with OBS_STATUS O, which means missing: remove the "
                    "value or correct the status",
                ),
            ],
        )

    def test_a_value_at_the_range_limits_is_accepted(self):
        self.assertNoFindings("E06", [raw(2, obs_value="0.000001"), raw(3, obs_value="1000000000")])


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

    def test_full_messages_and_cell(self):
        total, found = self.run_rule(
            "E08",
            [raw(4, base_per="it's"), raw(5, base_per="1989")],
            is_spreadsheet=True,
            columns={"BASE_PER": "H"},
        )
        self.assertEqual(total, 2)
        self.assertEqual(
            [(f.cell, f.column, f.value, f.message) for f in found],
            [
                (
                    "H4",
                    "BASE_PER",
                    "it's",
                    "BASE_PER 'it''s' is not a year: give the national base year as four "
                    "digits, e.g. 2021",
                ),
                (
                    "H5",
                    "BASE_PER",
                    "1989",
                    "BASE_PER 1989 is outside 1990-2024: give the national base year of the series",
                ),
            ],
        )

    def test_the_first_row_of_a_mixed_series_is_its_lowest_row_in_range(self):
        total, found = self.run_rule(
            "E08",
            [
                raw(9, "2024-01", base_per="2021"),
                raw(2, "2024-02", base_per="1985"),
                raw(5, "2024-03", base_per="2016"),
                raw(7, "2024-04", base_per="2016"),
                raw(3, "2024-01", activity="10", adjustment="s", base_per="2015"),
                raw(4, "2024-02", activity="10", adjustment="S", base_per="2010"),
            ],
        )
        self.assertEqual(total, 3)
        self.assertEqual(
            [(f.row, f.series_key) for f in found],
            [(2, "M.TH.C.N"), (4, "M.TH.10.S"), (9, "M.TH.C.N")],
        )
        self.assertEqual(
            found[1].message,
            "BASE_PER 2010 differs from 2015 on row 3 of the same series M.TH.10.S: a series "
            "has one base year in a submission; send data on another base in a separate "
            "submission",
        )
        self.assertIn(
            "BASE_PER 2021 differs from 2016 on row 5 of the same series", found[2].message
        )


class CapTests(RuleTestCase):
    def test_stores_at_most_cap_and_counts_all(self):
        total, found = self.run_rule("E06", [raw(i + 2, obs_value="1,0") for i in range(1500)])
        self.assertEqual(total, 1500)
        self.assertEqual(len(found), 1000)
        self.assertEqual(Finding.objects.filter(submission=self.submission).count(), 1000)
        self.assertEqual(min(f.row for f in found), 2)
        self.assertEqual(max(f.row for f in found), 1001)

    def test_cap_keeps_the_first_findings_of_all_parts_in_report_order(self):
        rows = [raw(i + 2, freq="A", obs_status="Q") for i in range(600)]
        total, found = self.run_rule("E03", rows, cap=5)
        self.assertEqual(total, 1200)
        self.assertEqual(
            [(f.row, f.column) for f in found],
            [(2, "FREQ"), (2, "OBS_STATUS"), (3, "FREQ"), (3, "OBS_STATUS"), (4, "FREQ")],
        )

    def test_only_the_rows_that_may_be_kept_are_located(self):
        # A wide table's row holds several values: rows share their numbers, in any order.
        rows = [
            raw(row, period, "abc") for row in range(2, 40) for period in ("2024-01", "2024-02")
        ]
        rows = random.Random(1).sample(rows, len(rows))
        total, (located_rows,) = self.run_capped("E06", rows, 3, row_rules, "located")
        self.assertEqual(total, 76)
        # The 3rd lowest row number is 3: only the values of rows 2 and 3 are located.
        self.assertEqual(sorted(located_rows["row_no"].to_list()), [2, 2, 3, 3])
