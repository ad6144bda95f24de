"""H6's chain gone on from a year (aggregate.py `ChainFrom`) gives, bit for bit, the series the
chain from its start gives from that year on, over generated groups (test_aggregate_oracle.py's:
members that start and stop years apart, months left out and imputed, every status, weight
without series); where a member with weight lacks a month of the year before, it gives none."""

from __future__ import annotations

import unittest
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from indices.publish.harmonization import ChainFrom, ChainMeans, aggregate_group
from tests.indices.publish.harmonization.test_aggregate_oracle import MEMBERS, generated_group

REF_YEAR = 2007
PAIR = ("C", "N")


def aggregated(values, weights, min_coverage, **kwargs) -> list:
    return aggregate_group(
        group="MKG",
        members={member: [] for member in MEMBERS},
        values={(member, *PAIR): months for member, months in values.items()},
        weights=weights,
        ref_year=REF_YEAR,
        min_coverage_pct=min_coverage,
        **kwargs,
    )


def from_index(values: dict, first: int) -> dict:
    return {
        member: {index: level for index, level in months.items() if index >= first}
        for member, months in values.items()
    }


class GoingOnTests(unittest.TestCase):
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(seed=st.integers(0, 2**32), year=st.integers(REF_YEAR + 1, REF_YEAR + 6))
    def test_the_chain_gone_on_from_a_year_is_the_whole_chain_from_it(self, seed, year):
        values, weights, min_coverage = generated_group(seed)
        since = {PAIR: date(year + 1, 1, 1)}  # a window: series from the January before
        chains: dict[tuple[str, str], ChainMeans] = {}
        whole = aggregated(values, weights, min_coverage, since=since, chains=chains)
        if not values:  # no member with a series: no chain at all
            self.assertEqual((whole, chains), ([], {}))
            return
        means = chains[PAIR].means
        self.assertIsNone(chains[PAIR].since)
        if year - 1 not in means:  # no chain through the year before: nothing to go on from
            return
        start = ChainFrom(year=year, mean_before=means[year - 1], ref_mean=means[REF_YEAR])
        going_on: dict[tuple[str, str], ChainMeans] = {}
        gone_on = aggregated(
            from_index(values, (year - 1) * 12),
            weights,
            min_coverage,
            since=since,
            chained_from={PAIR: start},
            chains=going_on,
        )
        weighted = {m for (m, _, _), w in weights.items() if m in MEMBERS and w > 0}
        before = range((year - 1) * 12, year * 12)
        if any(index not in values.get(m, {}) for m in weighted for index in before):
            self.assertEqual(gone_on, [])  # a mean of the year before would take imputed months
            return
        self.assertEqual(gone_on, whole)
        self.assertEqual(going_on[PAIR].since, year)
        self.assertEqual(going_on[PAIR].means, {y: m for y, m in means.items() if y >= year})

    def test_a_member_short_of_a_month_of_the_year_before_refuses(self):
        months = {index: (100.0 + index % 5, "A") for index in range(2000 * 12, 2012 * 12)}
        values = {"TH": dict(months), "VN": dict(months)}
        weights = {("TH", "C", 2000): 3.0, ("VN", "C", 2000): 1.0}
        chains: dict[tuple[str, str], ChainMeans] = {}
        aggregated(values, weights, 75.0, chains=chains)
        means = chains[PAIR].means
        start = ChainFrom(year=2010, mean_before=means[2009], ref_mean=means[REF_YEAR])
        del values["VN"][2009 * 12 + 4]
        self.assertEqual(
            aggregated(
                values, weights, 75.0, since={PAIR: date(2011, 1, 1)}, chained_from={PAIR: start}
            ),
            [],
        )
