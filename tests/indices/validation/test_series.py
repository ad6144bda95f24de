"""E07, E09, W05, W06, W08: rules that read rows together as series."""

from __future__ import annotations

from tests.indices.validation.helpers import RuleTestCase, good_values, raw, series


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
