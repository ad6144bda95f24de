"""H6's chain gives, bit for bit, what it gave month by month (aggregate_oracle.py): every
segment, every month's level, status, break and coverage, over generated groups whose members
start and stop reporting years apart, leave months out (imputed), carry every status, have
weight without any series, or none; where every member with weight reports a whole year, the
chain takes those years at once (`_reported_years`)."""

from __future__ import annotations

import random
import unittest
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from indices.publish.harmonization import aggregate
from tests.indices.publish.harmonization import aggregate_oracle as oracle

MEMBERS = ["KH", "LA", "MM", "TH", "VN", "JP"]
FIRST_YEAR = 2000


def generated_group(seed: int) -> tuple[dict, dict, float]:
    """Members' monthly levels, value-added weights by (member, activity, year), and a
    minimum coverage."""
    rng = random.Random(seed)
    members = rng.sample(MEMBERS, rng.randint(1, len(MEMBERS)))
    values: dict[str, dict[int, tuple[float, str]]] = {}
    for member in members:
        if rng.random() < 0.15:
            continue  # weight, but no series: counted missing
        start = (FIRST_YEAR + rng.randint(0, 6)) * 12 + rng.choice([0, 0, rng.randint(0, 11)])
        end = (FIRST_YEAR + rng.randint(8, 12)) * 12 + rng.randint(0, 11)
        gaps = rng.choice([0.0, 0.0, 0.01, 0.1])
        level = 10 ** rng.uniform(-2, 5)
        months = {}
        for index in range(start, end + 1):
            level *= 1 + rng.gauss(0, 0.02)
            if rng.random() < gaps:
                continue
            status = rng.choices("APEIUBX", weights=[90, 4, 2, 1, 1, 1, 1])[0]
            months[index] = (level, status)
        values[member] = months
    weights = {}
    for member in members:
        for year in rng.sample(range(FIRST_YEAR - 2, FIRST_YEAR + 14), rng.randint(1, 4)):
            weights[(member, "C", year)] = rng.choice([rng.uniform(0.1, 100.0), 0.0, 1.0])
    weights[("XX", "C", 2005)] = 5.0  # a country outside the group: no weight in it
    return values, weights, rng.choice([0.0, 50.0, 75.0, 99.0])


class ChainOracleTests(unittest.TestCase):
    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(seed=st.integers(0, 2**32))
    def test_the_chain_is_the_month_by_month_one(self, seed):
        values, weights, min_coverage = generated_group(seed)
        expected = oracle._chain(values, oracle._Shares("C", MEMBERS, weights), min_coverage)
        chained = aggregate._chain(values, aggregate._Shares("C", MEMBERS, weights), min_coverage)
        self.assertEqual([segment.as_mapping() for segment in chained], expected)

    def test_whole_years_of_every_member_are_taken_at_once(self):
        values = {
            member: {
                index: (100.0 + index % 7 * share, "AP"[index % 5 == 0])
                for index in range(24000, 24120)
            }
            for member, share in (("TH", 1.5), ("VN", 0.3))
        }
        weights = {("TH", "C", 2005): 3.0, ("VN", "C", 2005): 1.0}
        taken = []
        original = aggregate._reported_years

        def counted(*args):
            taken.append(original(*args))
            return taken[-1]

        with mock.patch.object(aggregate, "_reported_years", counted):
            chained = aggregate._chain(values, aggregate._Shares("C", ["TH", "VN"], weights), 75.0)
        self.assertEqual([run[1] for run in taken], [2010])  # every year after the first, at once
        expected = oracle._chain(values, oracle._Shares("C", ["TH", "VN"], weights), 75.0)
        self.assertEqual([segment.as_mapping() for segment in chained], expected)

    def test_a_mean_of_zero_fails_as_it_did(self):
        # TH's 2001 averages 0: its 2002 relatives cannot be formed.
        values = {
            "TH": {
                index: (0.0 if index // 12 == 2001 else 1.0, "A") for index in range(24000, 24036)
            },
            "VN": {index: (2.0, "A") for index in range(24000, 24036)},
        }
        weights = {("TH", "C", 2000): 1.0, ("VN", "C", 2000): 1.0}
        for module in (oracle, aggregate):
            with self.assertRaises(ZeroDivisionError):
                module._chain(values, module._Shares("C", ["TH", "VN"], weights), 50.0)
