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
