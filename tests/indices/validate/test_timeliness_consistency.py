"""W07 (late submission) and W09 (section against its divisions)."""

from __future__ import annotations

from countries.standard import load_definition
from tests.indices.validate.helpers import NOW, RuleTestCase, raw

C_DIVISIONS = [
    code.code for code in load_definition().codelists["CL_ACTIVITY_ISIC4"] if code.parent == "C"
]


class W07Tests(RuleTestCase):
    def test_newest_period_too_old(self):
        total, found = self.run_rule(
            "W07", [raw(2, "2024-02"), raw(3, "2024-03"), raw(4, "2024-01")]
        )
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].column, found[0].time_period), (3, "TIME_PERIOD", "2024-03")
        )
        self.assertIn(
            "The newest period in this submission, 2024-03, ended on 2024-03-31, 71 days before "
            "2024-06-10; data are due within 45 days",
            found[0].message,
        )

    def test_quarter_end_counts(self):
        total, _ = self.run_rule("W07", [raw(2, "2024-Q1", freq="Q")])
        self.assertEqual(total, 1)

    def test_recent_enough(self):
        self.assertNoFindings("W07", [raw(2, "2024-03"), raw(3, "2024-05", activity="10")])

    def test_no_valid_rows_no_finding(self):
        self.assertNoFindings("W07", [raw(2, "2020-01", obs_value="bad")])


class W09Tests(RuleTestCase):
    weights = {code: float(i + 1) for i, code in enumerate(C_DIVISIONS)}

    def rows(self, section_value: str, divisions: list[str] | None = None) -> list:
        divisions = C_DIVISIONS if divisions is None else divisions
        rows = [raw(2, "2024-01", section_value)]
        # Division d has value 100 + its weight's rank: weighted mean = sum(w*v)/sum(w).
        rows += [
            raw(10 + i, "2024-01", str(100.0 + i), activity=code)
            for i, code in enumerate(divisions)
        ]
        return rows

    def weighted_mean(self) -> float:
        total = sum(self.weights.values())
        return sum(w * (100.0 + i) for i, w in enumerate(self.weights.values())) / total

    def test_section_off_its_divisions(self):
        section = round(self.weighted_mean() + 1.2, 3)
        total, found = self.run_rule("W09", self.rows(str(section)), division_weights=self.weights)
        self.assertEqual(total, 1)
        self.assertEqual(
            (found[0].row, found[0].series_key, found[0].time_period), (2, "M.TH.C.N", "2024-01")
        )
        self.assertIn(
            f"C 2024-01 is {section} but the weighted mean of its 24 divisions is", found[0].message
        )
        self.assertIn("difference 1.20 index points, more than 0.5", found[0].message)

    def test_consistent_section(self):
        section = round(self.weighted_mean() + 0.3, 3)
        self.assertNoFindings("W09", self.rows(str(section)), division_weights=self.weights)

    def test_a_division_missing_or_no_weights(self):
        section = str(round(self.weighted_mean() + 5, 3))
        self.assertNoFindings(
            "W09", self.rows(section, C_DIVISIONS[:-1]), division_weights=self.weights
        )
        partial = dict(list(self.weights.items())[:-1])
        self.assertNoFindings("W09", division_weights=partial)
        self.assertNoFindings("W09", division_weights={})


class W09NationalCodesTests(RuleTestCase):
    """Section D and its only division 35 as national codes (TSIC2009), combined by H1."""

    concordance = {"D": "D", "3510": "35", "3520": "35"}
    national_weights = {"D": 100.0, "3510": 8.0, "3520": 1.2}

    def rows(self, d_feb: str = "103.0") -> list:
        nat = {"activity": ""}
        return [
            raw(2, "2024-01", "99.8", nat_code="D", **nat),
            raw(3, "2024-02", d_feb, nat_code="D", **nat),
            raw(4, "2024-01", "101.0", nat_code="3510", **nat),
            raw(5, "2024-02", "102.0", nat_code="3510", **nat),
            raw(6, "2024-01", "92.0", nat_code="3520", **nat),
            raw(7, "2024-02", "90.0", nat_code="3520", **nat),
        ]

    def test_weighted_mean_of_national_codes(self):
        # 35 in 2024-02 = (8.0 * 102 + 1.2 * 90) / 9.2 = 100.435; D 103.0 is 2.57 off.
        total, found = self.run_rule(
            "W09",
            self.rows(),
            division_weights={"35": 9.2},
            national_weights=self.national_weights,
        )
        self.assertEqual(total, 1, [f.message for f in found])
        self.assertEqual((found[0].row, found[0].value), (3, "103.0"))
        self.assertIn(
            "D 2024-02 is 103.0 but the weighted mean of its 1 division is 100.43",
            found[0].message,
        )
        self.assertIn("difference 2.57", found[0].message)

    def test_consistent(self):
        self.assertNoFindings(
            "W09",
            self.rows(d_feb="100.6"),
            division_weights={"35": 9.2},
            national_weights=self.national_weights,
        )

    def test_several_codes_without_weights_are_not_combined(self):
        self.assertNoFindings("W09", self.rows(), division_weights={"35": 9.2})

    def test_a_section_of_several_national_codes(self):
        rows = [
            raw(2, "2024-02", "100.0", activity="", nat_code="D1"),
            raw(3, "2024-02", "106.0", activity="", nat_code="D2"),
            raw(4, "2024-02", "100.0", activity="35"),
        ]
        # D = (1 * 100 + 3 * 106) / 4 = 104.5, 4.5 above its division 35.
        self.concordance = {"D1": "D", "D2": "D"}
        total, found = self.run_rule(
            "W09", rows, division_weights={"35": 1.0}, national_weights={"D1": 1.0, "D2": 3.0}
        )
        self.assertEqual(total, 1)
        self.assertEqual(found[0].row, 2)
        self.assertIn("is 104.500 (weighted mean of its 2 national codes)", found[0].message)


LATE_TAIL = (
    "; data are due within 45 days of the end of the period: send the newer periods as well, "
    "or say why in the submission comment"
)


class W07DetailTests(RuleTestCase):
    def test_whole_finding(self):
        total, found = self.run_rule("W07", [raw(2, "2024M01"), raw(3, "2024M03", activity="10")])
        self.assertEqual(total, 1)
        finding = found[0]
        self.assertEqual(
            (finding.row, finding.sheet, finding.cell, finding.column, finding.value),
            (3, "", "", "TIME_PERIOD", "2024M03"),
        )
        self.assertEqual((finding.series_key, finding.time_period), ("M.TH.10.N", "2024-03"))
        self.assertEqual(
            finding.message,
            "The newest period in this submission, 2024-03, ended on 2024-03-31, 71 days before "
            "2024-06-10" + LATE_TAIL,
        )

    def test_xlsx_sheet_and_cell(self):
        rows = [raw(7, "2024-02", sheet="Data", value_cell="F7")]
        _, found = self.run_rule(
            "W07", rows, is_spreadsheet=True, columns={"TIME_PERIOD": "E", "OBS_VALUE": "F"}
        )
        self.assertEqual((found[0].row, found[0].sheet, found[0].cell), (7, "Data", "E7"))

    def test_exactly_max_days_is_on_time(self):
        rows = [raw(2, "2024-03")]  # ended 2024-03-31
        on_time = NOW.replace(month=5, day=15)  # 45 days later
        self.assertNoFindings("W07", rows, now=on_time)
        total, found = self.run_rule("W07", rows, now=on_time.replace(day=16))
        self.assertEqual(total, 1)
        self.assertIn("46 days before 2024-05-16", found[0].message)

    def test_same_end_first_row_wins(self):
        # 2024-Q1 and 2024-03 end on the same day: the lower row number is the newest.
        rows = [
            raw(5, "2024-03", activity="10"),
            raw(4, "2024-Q1", freq="Q"),
            raw(3, "2024-02"),
        ]
        _, found = self.run_rule("W07", rows)
        self.assertEqual((found[0].row, found[0].time_period), (4, "2024-Q1"))
        self.assertIn("2024-Q1, ended on 2024-03-31, 71 days", found[0].message)

    def test_invalid_rows_are_not_the_newest(self):
        # The newest row's value is not an index level: the newest valid period is 2024-01.
        rows = [raw(2, "2024-01"), raw(3, "2024-05", "bad", activity="10")]
        _, found = self.run_rule("W07", rows)
        self.assertEqual((found[0].row, found[0].time_period), (2, "2024-01"))

    def test_quarter_message(self):
        _, found = self.run_rule("W07", [raw(2, "2024Q1", freq="Q")])
        self.assertEqual(found[0].value, "2024Q1")
        self.assertEqual(
            found[0].message,
            "The newest period in this submission, 2024-Q1, ended on 2024-03-31, 71 days before "
            "2024-06-10" + LATE_TAIL,
        )


class W09DetailTests(RuleTestCase):
    """Section D and its only division 35, given directly or by national codes."""

    concordance = {"D1": "D", "D2": "D", "3510": "35", "3520": "35"}

    def test_whole_finding_one_division(self):
        rows = [raw(2, "2024-01", "103.00", activity="D"), raw(3, "2024-01", "100", activity="35")]
        total, found = self.run_rule("W09", rows, division_weights={"35": 2.0})
        self.assertEqual(total, 1)
        finding = found[0]
        self.assertEqual(
            (finding.row, finding.sheet, finding.cell, finding.column, finding.value),
            (2, "", "", "OBS_VALUE", "103.00"),
        )
        self.assertEqual((finding.series_key, finding.time_period), ("M.TH.D.N", "2024-01"))
        self.assertEqual(
            finding.message,
            "D 2024-01 is 103.00 but the weighted mean of its 1 division is 100.00 (difference "
            "3.00 index points, more than 0.5): check the section and its divisions; they should "
            "be on the same base and the section their weighted mean",
        )

    def test_xlsx_cell_is_the_value_cell(self):
        rows = [
            raw(4, "2024-01", "103", activity="D", sheet="IPI", value_cell="G4"),
            raw(5, "2024-01", "100", activity="35", sheet="IPI", value_cell="G5"),
        ]
        _, found = self.run_rule(
            "W09", rows, division_weights={"35": 1.0}, is_spreadsheet=True, columns={}
        )
        self.assertEqual((found[0].row, found[0].sheet, found[0].cell), (4, "IPI", "G4"))

    def test_difference_of_exactly_the_threshold_is_no_finding(self):
        rows = [raw(2, "2024-01", "100.5", activity="D"), raw(3, "2024-01", "100", activity="35")]
        self.assertNoFindings("W09", rows, division_weights={"35": 1.0})

    def test_zero_weights_give_no_mean(self):
        rows = [raw(2, "2024-01", "110", activity="D"), raw(3, "2024-01", "100", activity="35")]
        self.assertNoFindings("W09", rows, division_weights={"35": 0.0})

    def test_only_the_same_frequency_adjustment_and_period_compare(self):
        rows = [
            raw(2, "2024-01", "110", activity="D", adjustment="S"),
            raw(3, "2024-01", "100", activity="35"),
            raw(4, "2024-02", "110", activity="D"),
            raw(5, "2024-Q1", "100", activity="35", freq="Q"),
        ]
        self.assertNoFindings("W09", rows, division_weights={"35": 1.0})

    def test_the_direct_row_wins_over_national_codes(self):
        rows = [
            raw(2, "2024-01", "101", activity="", nat_code="D1"),
            raw(3, "2024-01", "110", activity="D"),
            raw(4, "2024-01", "100", activity="35"),
        ]
        total, found = self.run_rule(
            "W09", rows, division_weights={"35": 1.0}, national_weights={"D1": 1.0}
        )
        self.assertEqual(total, 1)
        self.assertEqual(found[0].row, 3)
        self.assertIn("D 2024-01 is 110 but", found[0].message)
        self.assertIn("difference 10.00", found[0].message)

    def test_one_national_code_needs_no_weight(self):
        rows = [
            raw(2, "2024-01", "110", activity="D"),
            raw(3, "2024-01", "100", activity="", nat_code="3510"),
        ]
        total, found = self.run_rule("W09", rows, division_weights={"35": 1.0})
        self.assertEqual(total, 1)
        self.assertIn("weighted mean of its 1 division is 100.00", found[0].message)

    def test_a_missing_national_weight_leaves_the_division_without_value(self):
        rows = [
            raw(2, "2024-01", "110", activity="D"),
            raw(3, "2024-01", "100", activity="", nat_code="3510"),
            raw(4, "2024-01", "90", activity="", nat_code="3520"),
        ]
        self.assertNoFindings(
            "W09", rows, division_weights={"35": 1.0}, national_weights={"3510": 1.0}
        )

    def test_rounding_of_the_means(self):
        # 35 = (2 * 100 + 1 * 100.01) / 3 = 100.00333...; D = (100.3 + 3 * 101.9) / 4 = 101.5
        rows = [
            raw(2, "2024-01", "100.3", activity="", nat_code="D1"),
            raw(3, "2024-01", "101.9", activity="", nat_code="D2"),
            raw(4, "2024-01", "100", activity="", nat_code="3510"),
            raw(5, "2024-01", "100.01", activity="", nat_code="3520"),
        ]
        weights = {"D1": 1.0, "D2": 3.0, "3510": 2.0, "3520": 1.0}
        _, found = self.run_rule(
            "W09", rows, division_weights={"35": 5.0}, national_weights=weights
        )
        self.assertEqual((found[0].row, found[0].value), (2, "100.3"))
        self.assertIn(
            "D 2024-01 is 101.500 (weighted mean of its 2 national codes) but the weighted mean "
            "of its 1 division is 100.00 (difference 1.50 index points",
            found[0].message,
        )

    def test_cap_keeps_the_first_in_report_order(self):
        rows = []
        for i, period in enumerate(["2024-03", "2024-01", "2024-02"]):
            rows += [
                raw(10 + 2 * i, period, "110", activity="D"),
                raw(11 + 2 * i, period, "100", activity="35"),
            ]
        total, found = self.run_rule("W09", rows, division_weights={"35": 1.0}, cap=2)
        self.assertEqual(total, 3)
        self.assertEqual(
            [(f.row, f.time_period) for f in found], [(10, "2024-03"), (12, "2024-01")]
        )


class W09SeveralSectionsTests(RuleTestCase):
    def test_each_section_against_its_own_divisions(self):
        b_divisions = ["05", "06", "07", "08", "09"]
        rows = [raw(2, "2024-01", "101", activity="B"), raw(3, "2024-01", "104", activity="D")]
        rows += [raw(10 + i, "2024-01", "100", activity=code) for i, code in enumerate(b_divisions)]
        rows.append(raw(20, "2024-01", "103.8", activity="35"))
        weights = dict.fromkeys(b_divisions, 1.0) | {"35": 1.0}
        total, found = self.run_rule("W09", rows, division_weights=weights)
        self.assertEqual(total, 1)
        self.assertEqual(found[0].row, 2)
        self.assertIn(
            "B 2024-01 is 101 but the weighted mean of its 5 divisions is 100.00", found[0].message
        )
