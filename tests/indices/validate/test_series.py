"""E07, E09, W05, W06, W08: rules that read rows together as series."""

from __future__ import annotations

import dataclasses
import datetime as dt
from random import Random

from indices.national.models import NationalObservation, NationalSeries
from indices.receive.models import Submission
from indices.validate.rules import series as series_rules
from tests.indices.validate.helpers import (
    STANDARD,
    RuleTestCase,
    good_values,
    months,
    raw,
    series,
)

# Where the XLSX tests' template puts the standard columns.
XLSX_COLUMNS = {"ACTIVITY": "B", "NAT_CODE": "C", "TIME_PERIOD": "F", "BASE_PER": "K"}


def with_threshold(rule_id: str, name: str, value: float):
    """The standard with one threshold changed."""
    thresholds = {**STANDARD.thresholds, rule_id: {**STANDARD.thresholds[rule_id], name: value}}
    return dataclasses.replace(STANDARD, thresholds=thresholds)


def store_history(series_id: str, start: str, values: list[float]) -> None:
    """Accepted observations of an earlier submission of TH_OIE, monthly from `start`."""
    earlier = Submission.objects.create(
        agency_id="TH_OIE", sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
    )
    freq, area, activity, adjustment = series_id.split(".")
    series, _ = NationalSeries.objects.get_or_create(
        agency_id="TH_OIE",
        series_id=series_id,
        defaults={"freq": freq, "ref_area": area, "adjustment": adjustment},
    )
    NationalObservation.objects.bulk_create(
        NationalObservation(
            series=series,
            activity=activity,
            period_start=dt.date(int(label[:4]), int(label[5:7]), 1),
            value=value,
            status="A",
            base_year=2021,
            submission=earlier,
            row_no=i + 2,
        )
        for i, (label, value) in enumerate(zip(months(start, len(values)), values, strict=True))
    )


class E07Tests(RuleTestCase):
    def test_duplicates_after_the_first_cite_it(self):
        total, found = self.run_rule(
            "E07", [raw(2, "2024-01"), raw(3, "2024M01"), raw(4, "2024-02"), raw(5, "2024-M01")]
        )
        self.assertEqual(total, 2)
        self.assertEqual([f.row for f in found], [3, 5])
        self.assertEqual(found[0].series_key, "M.TH.C.N")
        self.assertEqual(found[0].time_period, "2024M01")
        self.assertIn("has 2024-01 again: row 2 already gives it", found[1].message)

    def test_national_code_colliding_with_direct_isic_row(self):
        total, found = self.run_rule(
            "E07",
            [
                raw(2, activity="10"),
                raw(3, activity="", nat_code="1011"),
                raw(4, activity="", nat_code="1012"),
            ],
        )
        self.assertEqual(total, 2)
        self.assertEqual(
            [(f.row, f.column, f.value) for f in found],
            [(3, "NAT_CODE", "1011"), (4, "NAT_CODE", "1012")],
        )
        self.assertIn(
            "NAT_CODE '1011', which maps to it, while row 2 gives it directly", found[0].message
        )

    def test_direct_row_after_national_codes(self):
        _, found = self.run_rule(
            "E07", [raw(2, activity="", nat_code="1011"), raw(3, activity="10")]
        )
        self.assertEqual([(f.row, f.column) for f in found], [(3, "ACTIVITY")])
        self.assertIn("NAT_CODE '1011' on row 2", found[0].message)

    def test_national_codes_sharing_an_isic_code_are_not_duplicates(self):
        self.assertNoFindings(
            "E07",
            [
                raw(2, activity="", nat_code="1011"),
                raw(3, activity="", nat_code="1012"),
                raw(4, activity="C"),
                raw(5, activity="C", adjustment="S"),
                raw(6, "2024-02"),
            ],
        )

    def test_messages_in_full(self):
        total, found = self.run_rule(
            "E07",
            [
                raw(2, "2024-01"),
                raw(3, "2024-01"),
                raw(4, "2024-01", activity="10"),
                raw(5, "2024-01", activity="", nat_code="1011"),
                raw(6, "2024-02", activity="", nat_code="1012"),
                raw(7, "2024-02", activity="10"),
            ],
        )
        self.assertEqual(total, 3)
        self.assertEqual(
            [(f.row, f.column, f.value, f.series_key, f.time_period) for f in found],
            [
                (3, "TIME_PERIOD", "2024-01", "M.TH.C.N", "2024-01"),
                (5, "NAT_CODE", "1011", "M.TH.NAT:1011.N", "2024-01"),
                (7, "ACTIVITY", "10", "M.TH.10.N", "2024-02"),
            ],
        )
        self.assertEqual(
            [f.message for f in found],
            [
                "Series M.TH.C.N has 2024-01 again: row 2 already gives it. Keep one row per "
                "series and period",
                "ACTIVITY 10 for 2024-01 is also given through this row's NAT_CODE '1011', "
                "which maps to it, while row 4 gives it directly: send either the ISIC series "
                "in ACTIVITY or the national codes, not both",
                "ACTIVITY 10 for 2024-02 is also given through NAT_CODE '1012' on row 6, which "
                "maps to it: send either the ISIC series in ACTIVITY or the national codes, "
                "not both",
            ],
        )

    def test_every_duplicate_cites_the_first_row(self):
        _, found = self.run_rule(
            "E07", [raw(2, "2024-01"), raw(3, "2024-02"), raw(4, "2024-01"), raw(5, "2024M01")]
        )
        self.assertEqual([f.row for f in found], [4, 5])
        self.assertTrue(all("row 2 already gives it" in f.message for f in found))

    def test_quarterly_and_adjusted_series_are_their_own(self):
        self.assertNoFindings(
            "E07",
            [
                raw(2, "2024-01"),
                raw(3, "2024-Q1", freq="Q"),
                raw(4, "2024-01", adjustment="S"),
                raw(5, "2024-01", activity="", nat_code="1011", adjustment="S"),
                raw(6, "2024-01", activity="10", adjustment="W"),
            ],
        )

    def test_clash_whatever_the_case_of_ref_area(self):
        _, found = self.run_rule(
            "E07", [raw(2, activity="10", ref_area="th"), raw(3, activity="", nat_code="1011")]
        )
        self.assertEqual([(f.row, f.column) for f in found], [(3, "NAT_CODE")])

    def test_xlsx_cells_and_cap(self):
        rows = [raw(2, "2024-01", sheet="Data")]
        rows += [raw(n, "2024-01", sheet="Data") for n in range(3, 8)]
        total, found = self.run_rule("E07", rows, is_spreadsheet=True, columns=XLSX_COLUMNS, cap=2)
        self.assertEqual(total, 5)
        self.assertEqual(
            [(f.row, f.sheet, f.cell) for f in found], [(3, "Data", "F3"), (4, "Data", "F4")]
        )

    def test_national_code_cell_in_xlsx(self):
        _, found = self.run_rule(
            "E07",
            [raw(2, activity="10", sheet="S"), raw(3, activity="", nat_code="1011", sheet="S")],
            is_spreadsheet=True,
            columns=XLSX_COLUMNS,
        )
        self.assertEqual([(f.sheet, f.cell) for f in found], [("S", "C3")])


class E09Tests(RuleTestCase):
    def test_base_year_mean_off(self):
        values = [v * 1.03 for v in good_values(12)]
        total, found = self.run_rule("E09", series(values, "2021-01"))
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].series_key, found[0].time_period), (2, "M.TH.C.N", "2021")
        )
        self.assertIn("averages 103.00 over the 12 months of its base year 2021", found[0].message)
        self.assertIn("allowed: 99.5 to 100.5", found[0].message)

    def test_mean_within_tolerance_incomplete_year_or_adjusted(self):
        rows = series(good_values(24), "2021-01")
        rows += series([110.0] * 11, "2021-01", first_row=100, activity="10")
        rows += series([110.0 + i for i in range(12)], "2021-01", first_row=200, adjustment="S")
        self.assertNoFindings("E09", rows)

    def test_message_in_full(self):
        values = [v + 3.2 for v in good_values(12)]
        total, found = self.run_rule(
            "E09", series(values, "2021-01", sheet="Data", value_cell="H9"), is_spreadsheet=True
        )
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].column, found[0].value, found[0].sheet, found[0].cell),
            (2, "OBS_VALUE", "103.20", "Data", "H9"),
        )
        self.assertEqual(
            found[0].message,
            "Series M.TH.C.N averages 103.20 over the 12 months of its base year 2021, not 100 "
            "(allowed: 99.5 to 100.5): check BASE_PER, or send the index on its base "
            "(base year = 100)",
        )

    def test_quarterly_and_calendar_adjusted(self):
        rows = [
            raw(1 + q, f"2021-Q{q}", str(v), freq="Q")
            for q, v in enumerate([97, 96, 98, 97], start=1)
        ]
        rows += series([v * 0.9 for v in good_values(12)], "2021-01", first_row=10, adjustment="W")
        _, found = self.run_rule("E09", rows)
        self.assertEqual(
            [(f.row, f.series_key, f.value) for f in found],
            [(2, "Q.TH.C.N", "97.00"), (10, "M.TH.C.W", "90.00")],
        )
        self.assertIn("averages 97.00 over the 4 quarters of its base year 2021", found[0].message)

    def test_finding_on_the_first_row_of_the_file(self):
        rows = series([v * 1.03 for v in good_values(12)], "2021-01")
        rows.reverse()
        _, found = self.run_rule(
            "E09", [raw(n + 2, r.time_period, r.obs_value) for n, r in enumerate(rows)]
        )
        self.assertEqual((found[0].row, found[0].value), (2, "103.00"))

    def test_tolerance_printed_as_the_standard_writes_it(self):
        values = [v * 1.03 for v in good_values(12)]
        _, found = self.run_rule(
            "E09",
            series(values, "2021-01"),
            standard=with_threshold("E09", "base_mean_tolerance", 1.0),
        )
        self.assertIn("(allowed: 99.0 to 101.0)", found[0].message)

    def test_mean_at_the_tolerance_is_accepted(self):
        self.assertNoFindings("E09", series([100.5] * 12, "2021-01"))

    def test_rows_e06_refuses_or_missing_leave_the_year_incomplete(self):
        values = [repr(v * 1.03) for v in good_values(12)]
        values[3] = "1,5"
        rows = [
            raw(2 + i, p, v)
            for i, (p, v) in enumerate(zip(months("2021-01", 12), values, strict=True))
        ]
        self.assertNoFindings("E09", rows)


class W05Tests(RuleTestCase):
    def test_one_finding_per_gap(self):
        rows = [
            raw(2, "2023-01"),
            raw(3, "2023-02"),
            raw(4, "2023-06"),
            raw(5, "2023-08"),
        ]
        total, found = self.run_rule("W05", rows)
        self.assertEqual(total, 2)
        self.assertEqual(
            [(f.row, f.value, f.time_period) for f in found],
            [(4, "2023-03 to 2023-05", "2023-03"), (5, "2023-07", "2023-07")],
        )
        self.assertIn(
            "has no row for 2023-03 to 2023-05 (3 months) between 2023-02 and 2023-06",
            found[0].message,
        )
        self.assertEqual(found[0].severity, "warning")

    def test_missing_status_fills_the_gap(self):
        rows = [
            raw(2, "2024-01"),
            raw(3, "2024-02", obs_value="", obs_status="O"),
            raw(4, "2024-03"),
            raw(5, "2024-Q1", freq="Q"),
            raw(6, "2024-Q2", freq="Q"),
        ]
        self.assertNoFindings("W05", rows)

    def test_a_period_in_the_future_is_e05s_finding_not_the_end_of_a_gap(self):
        # "today" is in 2024-06 (helpers.NOW): 2029-01 is in the future.
        self.assertNoFindings("W05", [raw(2, "2024-04"), raw(3, "2024-05"), raw(4, "2029-01")])

    def test_quarterly_gap(self):
        _, found = self.run_rule("W05", [raw(2, "2023-Q3", freq="Q"), raw(3, "2024-Q2", freq="Q")])
        self.assertIn("2023-Q4 to 2024-Q1 (2 quarters)", found[0].message)

    def test_message_in_full(self):
        total, found = self.run_rule(
            "W05",
            [raw(2, "2024-01", sheet="S"), raw(3, "2024-03", sheet="S")],
            is_spreadsheet=True,
            columns=XLSX_COLUMNS,
        )
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].sheet, found[0].cell, found[0].column, found[0].series_key),
            (3, "S", "F3", "TIME_PERIOD", "M.TH.C.N"),
        )
        self.assertEqual(
            found[0].message,
            "Series M.TH.C.N has no row for 2024-02 (1 month) between 2024-01 and 2024-03: add "
            "the values, or rows with an empty OBS_VALUE and OBS_STATUS L, M, O if they are "
            "missing",
        )

    def test_one_quarter_missing(self):
        _, found = self.run_rule("W05", [raw(2, "2023-Q4", freq="Q"), raw(3, "2024Q2", freq="Q")])
        self.assertEqual(
            [(f.row, f.value, f.time_period) for f in found], [(3, "2024-Q1", "2024-Q1")]
        )
        self.assertIn(
            "has no row for 2024-Q1 (1 quarter) between 2023-Q4 and 2024-Q2", found[0].message
        )

    def test_finding_on_the_first_row_after_the_gap_in_file_order(self):
        rows = [raw(2, "2024-04"), raw(3, "2024-01"), raw(4, "2024-04"), raw(5, "2024-02")]
        _, found = self.run_rule("W05", rows)
        self.assertEqual([(f.row, f.value) for f in found], [(2, "2024-03")])

    def test_rows_with_a_wrong_value_fill_the_period(self):
        rows = [raw(2, "2024-01"), raw(3, "2024-02", "1,5"), raw(4, "2024-03", ref_area="VN")]
        self.assertNoFindings("W05", rows)


class W06Tests(RuleTestCase):
    def test_flat_run(self):
        rows = series([100.1, 101.5, 101.5, 101.5, 101.5, 99.0], "2024-01")
        total, found = self.run_rule("W06", rows)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].time_period), (3, "2024-02"))
        self.assertIn(
            "the same value 101.5 in 4 consecutive periods, 2024-02 to 2024-05", found[0].message
        )

    def test_two_equal_values_or_a_gap_between(self):
        rows = series([100.1, 101.5, 101.5, 99.0], "2024-01")
        rows += [
            raw(20, "2024-01", "100", activity="10"),
            raw(21, "2024-02", "100", activity="10"),
            raw(22, "2024-04", "100", activity="10"),
        ]
        self.assertNoFindings("W06", rows)

    def test_message_in_full_with_the_value_as_postgresql_prints_it(self):
        rows = [raw(2, "2024-01", "99"), *(raw(n, f"2024-0{n - 1}", "100.00") for n in (3, 4, 5))]
        total, found = self.run_rule("W06", rows)
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].column, found[0].value, found[0].series_key),
            (3, "OBS_VALUE", "100.00", "M.TH.C.N"),
        )
        self.assertEqual(
            found[0].message,
            "Series M.TH.C.N has the same value 100 in 3 consecutive periods, 2024-02 to "
            "2024-04: check that the value was updated each period (a repeated value is often "
            "a copy of the previous one)",
        )

    def test_reported_once_on_the_first_row_of_the_run_in_the_file(self):
        rows = [
            raw(2, "2024-04", "101.5", sheet="S", value_cell="H2"),
            raw(3, "2024-03", "101.5", sheet="S", value_cell="H3"),
            raw(4, "2024-02", "101.5", sheet="S", value_cell="H4"),
            raw(5, "2024-01", "99", sheet="S", value_cell="H5"),
        ]
        _, found = self.run_rule("W06", rows, is_spreadsheet=True)
        self.assertEqual([(f.row, f.cell, f.time_period) for f in found], [(2, "H2", "2024-02")])
        self.assertIn("in 3 consecutive periods, 2024-02 to 2024-04", found[0].message)

    def test_a_wide_row_reports_its_run_once_at_the_runs_first_cell(self):
        # Issue #17 (5): in a wide sheet a series is one row, so every month of a run shares
        # its row number; the run is still one finding, at its first submitted month's cell.
        rows = [
            raw(2, f"2024-0{m}", v, sheet="S", value_cell=f"{'CDEFG'[m - 1]}2")
            for m, v in enumerate(["99", "101.5", "101.5", "101.5", "100"], 1)
        ]
        total, found = self.run_rule("W06", rows, is_spreadsheet=True)
        self.assertEqual(total, 1)
        self.assertEqual([(f.row, f.cell, f.time_period) for f in found], [(2, "D2", "2024-02")])
        self.assertIn("in 3 consecutive periods, 2024-02 to 2024-04", found[0].message)

    def test_quarterly_run(self):
        rows = [raw(2 + q, f"2023-Q{q + 1}", "104.2", freq="Q") for q in range(4)]
        _, found = self.run_rule("W06", rows)
        self.assertEqual([(f.row, f.time_period) for f in found], [(2, "2023-Q1")])
        self.assertIn("104.2 in 4 consecutive periods, 2023-Q1 to 2023-Q4", found[0].message)

    def test_run_continued_from_the_stored_history(self):
        store_history("M.TH.C.N", "2023-10", [99.0, 101.5, 101.5])
        total, found = self.run_rule("W06", [raw(2, "2024-01", "101.5")])
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].time_period), (2, "2023-11"))
        self.assertIn("in 3 consecutive periods, 2023-11 to 2024-01", found[0].message)

    def test_run_only_of_stored_periods_is_not_reported_again(self):
        store_history("M.TH.C.N", "2023-09", [101.5, 101.5, 101.5, 99.0])
        self.assertNoFindings("W06", [raw(2, "2024-01", "100")])

    def test_stored_run_is_read_back_to_the_lookback_only(self):
        # 2014-01 is FLAT_LOOKBACK_MONTHS (120) before 2024-01: the run is counted from there.
        store_history("M.TH.C.N", "2013-06", [99.0] * 127)
        _, found = self.run_rule("W06", [raw(2, "2024-01", "99")])
        self.assertIn("in 121 consecutive periods, 2014-01 to 2024-01", found[0].message)


class W08Tests(RuleTestCase):
    def test_stale_base(self):
        rows = [raw(2, "2023-12", base_per="2010"), raw(3, "2024-05", base_per="2010")]
        total, found = self.run_rule("W08", rows)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].column, found[0].value), (3, "BASE_PER", "2010"))
        self.assertIn(
            "BASE_PER 2010 is 14 years before the newest period 2024-05 of series M.TH.C.N",
            found[0].message,
        )

    def test_a_base_year_e08_refuses_is_not_also_stale(self):
        self.assertNoFindings("W08", [raw(2, "2024-05", base_per="1989")])

    def test_recent_base(self):
        self.assertNoFindings(
            "W08",
            [raw(2, "2024-05", base_per="2016"), raw(3, "2024-05", activity="10", base_per="2014")],
        )

    def test_message_in_full(self):
        rows = [
            raw(2, "2023-Q3", freq="Q", base_per="2012", sheet="S"),
            raw(3, "2024-Q1", freq="Q", base_per="2012", sheet="S"),
        ]
        total, found = self.run_rule("W08", rows, is_spreadsheet=True, columns=XLSX_COLUMNS)
        self.assertEqual(total, 1)
        self.assertEqual(
            (
                found[0].row,
                found[0].sheet,
                found[0].cell,
                found[0].series_key,
                found[0].time_period,
            ),
            (3, "S", "K3", "Q.TH.C.N", "2024-Q1"),
        )
        self.assertEqual(
            found[0].message,
            "BASE_PER 2012 is 12 years before the newest period 2024-Q1 of series Q.TH.C.N "
            "(more than 10): rebase the national index, or confirm that this base is still "
            "current",
        )

    def test_the_newest_valid_period_counts(self):
        # 2024-06 has a value E06 refuses, 2024-07 is in the future: 2024-05 is the newest.
        rows = [
            raw(2, "2024-05", base_per="2013"),
            raw(3, "2024-06", "abc", base_per="2013"),
            raw(4, "2024-07", base_per="2013"),
        ]
        total, found = self.run_rule("W08", rows)
        self.assertEqual((total, found[0].row), (1, 2))
        self.assertIn(
            "BASE_PER 2013 is 11 years before the newest period 2024-05", found[0].message
        )


class E07CapTests(RuleTestCase):
    def test_a_file_sent_twice_over_gathers_only_the_duplicates_that_may_be_kept(self):
        given = series(good_values(24), start="2022-01")
        again = series(good_values(24), start="2022-01", first_row=26)
        rows = [*given, *reversed(again)]
        total, located = self.run_capped("E07", rows, 3, series_rules, "located")
        self.assertEqual(total, 24)
        self.assertEqual(sorted(located[0]["row_no"].to_list()), [26, 27, 28])


class W05CapTests(RuleTestCase):
    def test_gaps_past_the_cap_are_counted_not_labelled(self):
        # Every other month of two years, in random order: eleven gaps.
        labels = months("2022-01", 24)[::2]
        rows = [raw(2 + i, label, "100") for i, label in enumerate(labels)]
        rows = Random(2).sample(rows, len(rows))
        total, (located,) = self.run_capped("W05", rows, 2, series_rules, "located")
        self.assertEqual(total, 11)
        self.assertEqual(sorted(located["row_no"].to_list()), [3, 4])
