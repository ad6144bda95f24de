"""W07 (late submission) and W09 (section against its divisions)."""

from __future__ import annotations

from indices.standard import load_definition
from tests.indices.validation.helpers import RuleTestCase, raw

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
