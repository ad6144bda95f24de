"""The worked examples of docs/methodology.md, number for number."""

from __future__ import annotations

import unittest
from datetime import date

import pytest

from indices.publish.harmonization import harmonize_member
from indices.publish.harmonization.aggregate import _month
from indices.publish.harmonization.member import link_base_changes
from indices.publish.harmonization.periods import to_index
from tests.indices.publish.harmonization.helpers import (
    REF_YEAR,
    months,
    national,
    observations,
    pick,
)


class MethodologyExampleTests(unittest.TestCase):
    def test_h3_link_ratio(self):
        old_p, new_p = months("2016-01", "2023-12"), months("2021-01", "2023-12")
        old_v = [112.0 if d == date(2020, 12, 1) else 118.0 for d in old_p]
        linked = link_base_changes(
            "M", observations(old_p, old_v, 2016) + observations(new_p, [104.0] * 36, 2021)
        )
        assert linked.links[0].ratio == pytest.approx(0.881356, abs=1e-6)
        assert linked.levels[to_index("M", date(2020, 12, 1))].value == pytest.approx(
            98.71186, abs=1e-5
        )
        assert linked.levels[to_index("M", date(2021, 1, 1))].brk

    def test_h1_weighted_mean(self):
        periods = months("2021-01", "2022-01")
        series = [
            national(
                observations(periods, [100.0] * 12 + [v], 2021), activity="10", nat_code=c, weight=w
            )
            for c, v, w in (("1011", 104.0, 30.0), ("1012", 96.0, 10.0))
        ]
        harmonized, _ = harmonize_member(series=series, ref_year=REF_YEAR)
        assert pick(harmonized, "M.TH.10.N.IX").points[-1].value == pytest.approx(102.0, abs=1e-12)

    def test_h6_imputed_month(self):
        apr, may, jun = (to_index("M", date(2023, m, 1)) for m in (4, 5, 6))
        values = {
            "TH": {apr: (115.5, "A"), may: (121.0, "A")},
            "VN": {apr: (129.6, "A"), jun: (131.0, "A")},
        }
        weights, means, imputed = {"TH": 0.8, "VN": 0.2}, {"TH": 110.0, "VN": 120.0}, {}
        april = _month(apr, values, weights, means, 102.5, imputed)
        assert (april.value, april.status, april.coverage) == (
            pytest.approx(108.24),
            "A",
            pytest.approx(100),
        )
        mai = _month(may, values, weights, means, 102.5, imputed)
        assert (mai.value, mai.status, mai.coverage) == (
            pytest.approx(113.394286),
            "E",
            pytest.approx(80),
        )
        assert imputed["VN"][may] == pytest.approx(135.771429)
        june = _month(jun, values, weights, means, 102.5, imputed)
        assert (june.status, june.coverage) == ("E", pytest.approx(20))
