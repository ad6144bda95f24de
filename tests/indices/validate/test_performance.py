"""Timing check, not a timed assertion: a large submission's rows framed and every rule run.

Skipped unless IPI_PERF=1; IPI_PERF_ROWS sets the size (default 1,000,000 = 5,000 series x 200
months; 200,000 = 1,000 series); IPI_PERF_CSV=path reads that file instead (as the worker does:
parse_file, the fast CSV reader), e.g. the file of bench/submission_1m.py with its concordance:
    IPI_PERF=1 [IPI_PERF_CSV=var/bench/submission-1000000.csv] IPI_TEST_DB_NAME=test_ipi_rules \
        python -m pytest \
        tests/indices/validate/test_performance.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import resource
import time
import unittest
from pathlib import Path

from django.db import connection

from countries.standard import load_definition
from indices.receive.parsing import parse_file
from indices.validate.frame import normalized_frame, parsed_rows, raw_frame
from indices.validate.normalize import Normalizer
from indices.validate.rules import REGISTRY, RULE_ORDER
from indices.validate.runner import run_rules
from indices.validate.staging import stage_rows
from tests.indices.validate.helpers import STANDARD, RuleTestCase, months, raw

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
        started = time.perf_counter()
        if os.environ.get("IPI_PERF_CSV"):
            raw = parsed_rows(parse_file(Path(os.environ["IPI_PERF_CSV"])))
            concordance = {f"N{c:04d}": f"{10 + c % 24:02d}" for c in range(400)}
        else:
            rows, concordance = perf_rows(int(os.environ.get("IPI_PERF_ROWS", "1000000")))
            started = time.perf_counter()
            raw = raw_frame(rows)
        frame_seconds = time.perf_counter() - started
        count = raw.height
        normalizer = Normalizer(standard=STANDARD, concordance=concordance)
        started = time.perf_counter()
        self.frame = normalized_frame(raw, normalizer)
        normalize_seconds = time.perf_counter() - started
        load_seconds = normalize_seconds
        print(f"\nframe of the parsed rows: {frame_seconds:.2f}s")
        print(f"normalize {self.frame.height} rows: {normalize_seconds:.2f}s")
        ctx = self.context(division_weights={d: 1.0 for d in DIVISIONS})
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
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process until now: {peak:.0f} MB")
        # The yardstick, after the rules so the peak above is theirs: COPY of the same rows
        # into the staging table (what publication does), rolled back.
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT perf_copy")
            started = time.perf_counter()
            stage_rows(submission_id=self.submission.id, rows=self.frame)
            copy_seconds = time.perf_counter() - started
            cursor.execute("ROLLBACK TO SAVEPOINT perf_copy")
        print(f"COPY of {count} staged rows (22 columns): {copy_seconds:.2f}s")
        print(
            f"rules {rules_seconds:.2f}s; normalize + rules {load_seconds + rules_seconds:.2f}s "
            f"= {(load_seconds + rules_seconds) / copy_seconds:.1f}x the staging COPY"
        )
