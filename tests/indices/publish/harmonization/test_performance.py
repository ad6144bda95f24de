"""Timing check, not a timed assertion: run with -s to see the numbers, e.g.
python -m pytest tests/indices/publish/harmonization/test_performance.py -s
"""

from __future__ import annotations

import time
import unittest

from indices.publish.harmonization import aggregate_group, harmonize_member
from tests.indices.publish.harmonization.helpers import (
    REF_YEAR,
    months,
    national,
    observations,
    wave,
)

DIVISIONS = [f"{d}" for d in range(10, 35)]  # 25 ISIC divisions


def member_series(country: str, codes: int = 500):
    """`codes` national codes x 300 months (2000-01 to 2024-12), each on two base years
    (2010 = 100 to 2021-12, 2020 = 100 from 2019-01), 20 codes per ISIC division."""
    old, new = months("2000-01", "2021-12"), months("2019-01", "2024-12")
    series = []
    for i in range(codes):
        values = wave(300, 60 + i % 50, trend=0.05 + (i % 7) / 100, seed=i)
        series.append(
            national(
                observations(old, values[: len(old)], 2010)
                + observations(new, [v * 0.8 for v in values[-len(new) :]], 2020),
                activity=DIVISIONS[i % len(DIVISIONS)],
                nat_code=f"N{i:04d}",
                weight=1.0 + i % 9,
                ref_area=country,
            )
        )
    return series


class HarmonizationPerformanceTests(unittest.TestCase):
    def test_member_with_500_national_series_of_300_months(self):
        series = member_series("TH")
        started = time.perf_counter()
        harmonized, unpublishable = harmonize_member(series=series, ref_year=REF_YEAR)
        elapsed = time.perf_counter() - started
        points = sum(len(s.points) for s in harmonized)
        print(
            f"\nharmonize_member: 500 national series x 300 months (2 bases each, "
            f"{sum(len(s.observations) for s in series)} observations) -> {len(harmonized)} "
            f"series, {points} points in {elapsed:.2f} s"
        )
        assert unpublishable == []
        assert len(harmonized) == len(DIVISIONS) * 9

    def test_group_of_six_members(self):
        members = {}
        for country in ("KH", "LA", "MM", "TH", "VN", "JP"):
            harmonized, _ = harmonize_member(series=member_series(country, 100), ref_year=REF_YEAR)
            members[country] = [s for s in harmonized if s.freq == "M" and s.transformation == "IX"]
        weights = {
            (c, a, y): 100.0 + i * 10 + y - 2000
            for i, c in enumerate(members)
            for a in DIVISIONS
            for y in range(2000, 2024)
        }
        started = time.perf_counter()
        result = aggregate_group(
            group="MKG_JP",
            members=members,
            weights=weights,
            ref_year=REF_YEAR,
            min_coverage_pct=75.0,
        )
        elapsed = time.perf_counter() - started
        print(f"\naggregate_group: 6 members x 25 activities x 300 months in {elapsed:.2f} s")
        assert len(result) == len(DIVISIONS) * 9
