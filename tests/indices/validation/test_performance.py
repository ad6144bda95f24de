"""Timing check, not a timed assertion: a large submission loaded and every rule run.

Skipped unless IPI_PERF=1; IPI_PERF_ROWS sets the size (default 1,000,000 = 5,000 series x 200
months; 200,000 = 1,000 series), e.g.
    IPI_PERF=1 IPI_TEST_DB_NAME=test_ipi_rules python -m pytest \
        tests/indices/validation/test_performance.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import time
import unittest

from django.db import connection

from indices.standard import load_definition
from indices.validation.normalize import Normalizer
from indices.validation.rules import REGISTRY, RULE_ORDER
from indices.validation.runner import run_rules
from indices.validation.staging import COPY_SQL, load_rows
from tests.indices.validation.helpers import STANDARD, RuleTestCase, months, raw

DIVISIONS = [c.code for c in load_definition().codelists["CL_ACTIVITY_ISIC4"] if c.parent]
C_DIVISIONS = [c.code for c in load_definition().codelists["CL_ACTIVITY_ISIC4"] if c.parent == "C"]
MONTHS = 200


def perf_rows(count: int) -> tuple[list, dict[str, str]]:
    """count / 200 series x 200 months: C and its 24 divisions given directly (so W09 applies),
    the other series national codes mapping to divisions of B, D and E."""
    labels = months("2007-10", MONTHS)  # to 2024-05
    other = [d for d in DIVISIONS if d not in C_DIVISIONS]
    national = count // MONTHS - 1 - len(C_DIVISIONS)
    concordance = {f"N{i:05d}": other[i % len(other)] for i in range(national)}
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


@unittest.skipUnless(os.environ.get("IPI_PERF"), "set IPI_PERF=1 to run the timing")
class PerformanceTests(RuleTestCase):
    def test_large_submission(self):
        count = int(os.environ.get("IPI_PERF_ROWS", "1000000"))
        rows, concordance = perf_rows(count)
        self.assertEqual(len(rows), count)
        normalizer = Normalizer(standard=STANDARD, concordance=concordance)
        # The yardstick: a plain COPY of the same tuples, normalized beforehand, rolled back.
        tuples = [(str(self.submission.id), *row, *normalizer.normalized(row)) for row in rows]
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT perf_copy")
            started = time.perf_counter()
            with cursor.copy(COPY_SQL) as copy:
                for values in tuples:
                    copy.write_row(values)
            copy_seconds = time.perf_counter() - started
            cursor.execute("ROLLBACK TO SAVEPOINT perf_copy")
        del tuples
        started = time.perf_counter()
        loaded = load_rows(
            submission_id=self.submission.id,
            rows=rows,
            normalizer=Normalizer(standard=STANDARD, concordance=concordance),
        )
        load_seconds = time.perf_counter() - started
        ctx = self.context(division_weights={d: 1.0 for d in DIVISIONS})
        print(f"\nplain COPY of {count} normalized rows: {copy_seconds:.2f}s")
        print(f"load_rows (normalize + COPY) {loaded} rows: {load_seconds:.2f}s")
        if os.environ.get("IPI_PERF_EACH"):
            # Each rule on its own, as a test calls it (no shared work between rules).
            with connection.cursor() as cursor:
                cursor.execute("SAVEPOINT perf_each")
            for rule_id in RULE_ORDER:
                t0 = time.perf_counter()
                found = REGISTRY[rule_id](ctx)
                print(f"  alone {rule_id}: {time.perf_counter() - t0:.2f}s, {found} findings")
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK TO SAVEPOINT perf_each")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        counts = run_rules(ctx, timings=timings)
        rules_seconds = time.perf_counter() - t0
        for step, seconds in timings.items():
            found = counts.get(step)
            print(f"  {step}: {seconds:.2f}s" + ("" if found is None else f", {found} findings"))
        print(
            f"rules {rules_seconds:.2f}s; load + rules {load_seconds + rules_seconds:.2f}s "
            f"= {(load_seconds + rules_seconds) / copy_seconds:.1f}x the plain COPY"
        )
