"""Timing check, not a timed assertion: 200,000 rows loaded and every rule run.

Skipped unless IPI_PERF=1, e.g.
    IPI_PERF=1 IPI_TEST_DB_NAME=test_ipi_rules python -m pytest \
        tests/indices/validation/test_performance.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import time
import unittest

from indices.standard import load_definition
from indices.validation.normalize import Normalizer
from indices.validation.rules import REGISTRY, RULE_ORDER
from indices.validation.staging import load_rows
from tests.indices.validation.helpers import STANDARD, RuleTestCase, months, raw

DIVISIONS = [c.code for c in load_definition().codelists["CL_ACTIVITY_ISIC4"] if c.parent]
C_DIVISIONS = [c.code for c in load_definition().codelists["CL_ACTIVITY_ISIC4"] if c.parent == "C"]


def rows_200k() -> tuple[list, dict[str, str]]:
    """1,000 series x 200 months: C and its 24 divisions given directly (so W09 applies),
    975 national codes mapping to divisions of B, D and E."""
    labels = months("2007-10", 200)  # to 2024-05
    other = [d for d in DIVISIONS if d not in C_DIVISIONS]
    concordance = {f"N{i:04d}": other[i % len(other)] for i in range(975)}
    keys = [("C", "")] + [(d, "") for d in C_DIVISIONS] + [("", c) for c in concordance]
    rows, row_no = [], 2
    for s, (activity, nat_code) in enumerate(keys):
        for m, label in enumerate(labels):
            value = 80 + (s % 40) + 10 * ((m * 7 + s) % 13) / 13 + m * 0.05
            rows.append(
                raw(
                    row_no,
                    label,
                    f"{value:.3f}",
                    activity=activity,
                    nat_code=nat_code,
                    base_per="2021",
                )
            )
            row_no += 1
    return rows, concordance


@unittest.skipUnless(os.environ.get("IPI_PERF"), "set IPI_PERF=1 to run the 200k-row timing")
class PerformanceTests(RuleTestCase):
    def test_200k_rows(self):
        rows, concordance = rows_200k()
        self.assertEqual(len(rows), 200_000)
        started = time.perf_counter()
        loaded = load_rows(
            submission_id=self.submission.id,
            rows=rows,
            normalizer=Normalizer(standard=STANDARD, concordance=concordance),
        )
        load_seconds = time.perf_counter() - started
        ctx = self.context(division_weights={d: 1.0 for d in DIVISIONS})
        timings, counts = {}, {}
        for rule_id in RULE_ORDER:
            t0 = time.perf_counter()
            counts[rule_id] = REGISTRY[rule_id](ctx)
            timings[rule_id] = time.perf_counter() - t0
        total = time.perf_counter() - started
        print(f"\nloaded {loaded} rows in {load_seconds:.2f}s")
        for rule_id in RULE_ORDER:
            print(f"  {rule_id}: {timings[rule_id]:.2f}s, {counts[rule_id]} findings")
        print(f"rules {sum(timings.values()):.2f}s; load + rules {total:.2f}s")
