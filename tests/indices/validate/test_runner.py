"""run_rules: every rule in order, counts by rule, findings stored with their severity."""

from __future__ import annotations

from indices.validate.models import Finding
from indices.validate.rules import RULE_ORDER
from indices.validate.runner import run_rules
from tests.indices.validate.helpers import RuleTestCase, good_values, raw, series


class RunRulesTests(RuleTestCase):
    def test_a_clean_submission_has_no_findings(self):
        rows = series(good_values(41), "2021-01")  # 2021-01 .. 2024-05, 2021 averaging 100
        rows += series(good_values(41), "2021-01", first_row=100, activity="", nat_code="1011")
        self.load(rows)
        counts = run_rules(self.context())
        self.assertEqual(list(counts), list(RULE_ORDER))
        self.assertEqual(len(counts), 17)
        self.assertEqual(
            {k: v for k, v in counts.items() if v},
            {},
            list(Finding.objects.values_list("message", flat=True)),
        )

    def test_counts_and_severities(self):
        rows = series(good_values(41), "2021-01")
        rows += [
            raw(200, "2024-05", "1,5", activity="10"),
            raw(201, "2024-05", "100", activity="10", ref_area="VN"),
            raw(202, "2025-01", "100", activity="11"),
        ]
        self.load(rows)
        counts = run_rules(self.context())
        self.assertEqual(counts["E06"], 1)
        self.assertEqual(counts["E04"], 1)
        self.assertEqual(counts["E05"], 1)
        severities = dict(Finding.objects.values_list("rule_id", "severity").distinct())
        self.assertEqual(severities["E06"], "error")

    def test_cap_per_rule_through_the_runner(self):
        self.load(
            [raw(i + 2, "2024-01", "x", activity="10" if i % 2 else "C") for i in range(1500)]
        )
        counts = run_rules(self.context())
        self.assertEqual(counts["E06"], 1500)
        self.assertEqual(counts["E07"], 1498)
        self.assertEqual(Finding.objects.filter(rule_id="E06").count(), 1000)
        self.assertEqual(Finding.objects.filter(rule_id="E07").count(), 1000)
