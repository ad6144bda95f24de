"""H6 regional aggregates against a numpy chain-linked Laspeyres written apart."""

from __future__ import annotations

import math
import unittest
from datetime import date
from decimal import ROUND_FLOOR, Decimal

import numpy as np
import pytest

from indices.publish.harmonization import (
    HarmonizedSeries,
    Point,
    aggregate_group,
    coverage_shown,
    harmonize_member,
)
from tests.indices.publish.harmonization.helpers import (
    REF_YEAR,
    TOL,
    keys,
    months,
    national,
    observations,
    pick,
    statuses_of,
    values_of,
    wave,
)

PERIODS = months("2018-01", "2024-05")
YEARS = list(range(2018, 2025))
RAW = {
    "TH": np.array(wave(len(PERIODS), 95, trend=0.3, seed=1)),
    "VN": np.array(wave(len(PERIODS), 140, trend=0.9, amplitude=9, seed=2)),
    "KH": np.array(wave(len(PERIODS), 60, trend=0.1, amplitude=3, seed=3)),
}
# Constant-USD value added, 2017-2022 only: 2023 (for the 2024 links) falls back on 2022.
VA = {"TH": (790, 10), "VN": (190, 12), "KH": (18, 1)}
WEIGHTS = {(c, "C", y): a + b * (y - 2017) for c, (a, b) in VA.items() for y in range(2017, 2023)}
ALL_MONTHS = {(d.year, d.month) for d in PERIODS}


def member_ix(country: str, values, base_year=2015, statuses=None, drop=()) -> HarmonizedSeries:
    """The member's harmonized M IX series, as harmonize_member returns it."""
    kept = [(d, v) for d, v in zip(PERIODS, values, strict=True) if d not in drop]
    harmonized, _ = harmonize_member(
        series=[
            national(
                observations(
                    [d for d, _ in kept], [v for _, v in kept], base_year, statuses=statuses
                ),
                ref_area=country,
            )
        ],
        ref_year=REF_YEAR,
    )
    return pick(harmonized, f"M.{country}.C.N.IX")


def shares(year: int, countries) -> dict[str, float]:
    year = min(year, 2022)
    va = {c: WEIGHTS[(c, "C", year)] for c in countries}
    total = sum(va.values())
    return {c: v / total for c, v in va.items()}


def numpy_laspeyres(levels: dict[str, np.ndarray], countries, y0=2018) -> np.ndarray:
    """I_G(y0) = 100 * sum w_i(y0) I_i / mean_i(y0); then
    I_G(y, m) = mean_G(y-1) * sum w_i(y-1) * I_i(y, m) / mean_i(y-1); re-referenced to 2021.
    `levels` are complete national levels (NaN-padded to whole years)."""
    grid = {
        c: np.concatenate([v, np.full(len(YEARS) * 12 - len(v), np.nan)]).reshape(-1, 12)
        for c, v in levels.items()
    }
    g = np.full((len(YEARS), 12), np.nan)
    k0 = YEARS.index(y0)
    w = shares(y0, countries)
    g[k0] = 100 * sum(w[c] * grid[c][k0] / grid[c][k0].mean() for c in countries)
    for k in range(k0 + 1, len(YEARS)):
        w = shares(YEARS[k] - 1, countries)
        g[k] = g[k - 1].mean() * sum(w[c] * grid[c][k] / grid[c][k - 1].mean() for c in countries)
    g = 100 * g / g[YEARS.index(REF_YEAR)].mean()
    return g.reshape(-1)[: len(PERIODS)]


def aggregate(members, weights=WEIGHTS, group="MKG"):
    return aggregate_group(
        group=group, members=members, weights=weights, ref_year=REF_YEAR, min_coverage_pct=75.0
    )


class FullDataTests(unittest.TestCase):
    def setUp(self):
        # Members' harmonized series on different national bases: relatives make it irrelevant.
        self.members = {
            c: [member_ix(c, v, base_year=2010 + i)] for i, (c, v) in enumerate(RAW.items())
        }
        self.result = aggregate(self.members)

    def test_chain_linked_laspeyres_matches_numpy(self):
        ix = pick(self.result, "M.MKG.C.N.IX")
        expected = numpy_laspeyres(RAW, list(RAW))
        assert [p.period for p in ix.points] == PERIODS
        np.testing.assert_allclose([p.value for p in ix.points], expected, rtol=0, atol=TOL)
        assert np.mean([v for d, v in values_of(ix).items() if d.year == 2021]) == (
            pytest.approx(100.0, abs=1e-12)
        )

    def test_every_frequency_and_transformation_full_coverage(self):
        assert keys(self.result) == [
            f"{f}.MKG.C.N.{t}" for f in "MQA" for t in ("IX", "PCH_PRE", "PCH_SM")
        ]
        ix = pick(self.result, "M.MKG.C.N.IX")
        assert {p.status for p in ix.points} == {"A"}
        assert [p.coverage for p in ix.points] == pytest.approx([100.0] * len(PERIODS))
        assert ix.attributes == {
            "UNIT_MEASURE": "IX",
            "UNIT_MULT": 0,
            "DECIMALS": 2,
            "REF_YEAR": 2021,
            "COVERAGE": pytest.approx(100.0),
        }
        expected = numpy_laspeyres(RAW, list(RAW))
        np.testing.assert_allclose(
            [p.value for p in pick(self.result, "M.MKG.C.N.PCH_SM").points],
            100 * (expected[12:] / expected[:-12] - 1),
            atol=TOL,
        )
        np.testing.assert_allclose(
            [p.value for p in pick(self.result, "A.MKG.C.N.IX").points],
            expected[:72].reshape(-1, 12).mean(axis=1),
            atol=TOL,
        )

    def test_each_activity_and_adjustment_separately(self):
        extra = {
            "TH": [*self.members["TH"], member_ix("TH", RAW["VN"])],
        }
        sa = extra["TH"][1]
        extra["TH"][1] = sa.__class__(**{**sa.__dict__, "adjustment": "S"})
        result = aggregate({**self.members, **extra})
        # S: TH alone reports it, with about 79% of the weight: published, every month imputed (E).
        s = pick(result, "M.MKG.C.S.IX")
        assert {p.status for p in s.points} == {"E"}
        assert s.points[0].coverage == pytest.approx(100 * shares(2018, RAW)["TH"])
        np.testing.assert_allclose(
            [p.value for p in s.points], 100 * RAW["VN"] / RAW["VN"][36:48].mean(), atol=TOL
        )

    def test_inputs_other_than_monthly_levels_are_ignored(self):
        harmonized, _ = harmonize_member(
            series=[national(observations(PERIODS, list(RAW["TH"]), 2015))], ref_year=REF_YEAR
        )
        members = {**self.members, "TH": harmonized}
        assert aggregate(members) == self.result


class MissingMemberTests(unittest.TestCase):
    """Two members: TH about 79-80% of the weight, VN the rest (KH left out)."""

    countries = ("TH", "VN")

    def setUp(self):
        self.weights = {k: v for k, v in WEIGHTS.items() if k[0] in self.countries}

    def test_member_missing_a_month_is_imputed_with_the_others_growth(self):
        gone = date(2023, 5, 1)  # VN has not reported May 2023
        members = {
            "TH": [member_ix("TH", RAW["TH"])],
            "VN": [member_ix("VN", RAW["VN"], drop={gone})],
        }
        ix = pick(aggregate(members, self.weights), "M.MKG.C.N.IX")
        # Hand-derived: VN's May = its April moved by TH's growth April -> May. With two members
        # the imputed relative r_VN(May) = r_VN(Apr) * r_TH(May) / r_TH(Apr) is exactly that.
        k = PERIODS.index(gone)
        completed = RAW["VN"].copy()
        completed[k] = RAW["VN"][k - 1] * RAW["TH"][k] / RAW["TH"][k - 1]
        expected = numpy_laspeyres({"TH": RAW["TH"], "VN": completed}, self.countries)
        np.testing.assert_allclose([p.value for p in ix.points], expected, atol=TOL)
        point = next(p for p in ix.points if p.period == gone)
        assert point.status == "E"
        assert point.coverage == pytest.approx(100 * shares(2022, self.countries)["TH"])
        assert 75 < point.coverage < 100
        assert statuses_of(ix) == {gone: "E"}
        # Derived values holding the imputed month are E too.
        assert statuses_of(pick(aggregate(members, self.weights), "Q.MKG.C.N.IX")) == {
            date(2023, 4, 1): "E"
        }
        q2 = values_of(pick(aggregate(members, self.weights), "Q.MKG.C.N.IX"))
        assert date(2023, 4, 1) in q2
        quarter = next(
            p
            for p in pick(aggregate(members, self.weights), "Q.MKG.C.N.IX").points
            if p.period == date(2023, 4, 1)
        )
        # STANDARD 1.1: the lowest coverage of its months (it was their mean).
        assert quarter.coverage == point.coverage

    def test_below_min_coverage_is_not_published_for_that_month(self):
        gone = date(2023, 6, 1)  # TH (about 80%) missing: coverage about 20% < 75%
        members = {
            "TH": [member_ix("TH", RAW["TH"], drop={gone})],
            "VN": [member_ix("VN", RAW["VN"])],
        }
        result = aggregate(members, self.weights)
        ix = values_of(pick(result, "M.MKG.C.N.IX"))
        assert gone not in ix
        assert len(ix) == len(PERIODS) - 1
        # Still computed (with TH imputed) to carry the chain: later months match numpy.
        k = PERIODS.index(gone)
        completed = RAW["TH"].copy()
        completed[k] = RAW["TH"][k - 1] * RAW["VN"][k] / RAW["VN"][k - 1]
        expected = numpy_laspeyres({"TH": completed, "VN": RAW["VN"]}, self.countries)
        np.testing.assert_allclose(
            [ix[d] for d in PERIODS if d != gone], np.delete(expected, k), atol=TOL
        )
        assert gone not in values_of(pick(result, "M.MKG.C.N.PCH_PRE"))
        assert date(2023, 7, 1) not in values_of(pick(result, "M.MKG.C.N.PCH_PRE"))
        assert date(2023, 4, 1) not in values_of(pick(result, "Q.MKG.C.N.IX"))
        assert date(2023, 1, 1) not in values_of(pick(result, "A.MKG.C.N.IX"))

    def test_member_with_weight_but_no_series_lowers_coverage(self):
        members = {c: [member_ix(c, RAW[c])] for c in self.countries} | {"KH": []}
        ix = pick(aggregate(members), "M.MKG.C.N.IX")
        # KH's value added counts, but KH reports nothing: the others stand in for it.
        np.testing.assert_allclose(
            [p.value for p in ix.points], numpy_laspeyres(RAW, self.countries), atol=TOL
        )
        assert {p.status for p in ix.points} == {"E"}
        assert ix.points[0].coverage == pytest.approx(100 * (1 - shares(2018, RAW)["KH"]))
        # Published with one decimal, rounded down (STANDARD 1.1).
        latest = Decimal(100) * Decimal(1 - shares(2022, RAW)["KH"])
        assert ix.attributes["COVERAGE"] == float(latest.quantize(Decimal("0.1"), ROUND_FLOOR))

    def test_a_missing_member_of_negligible_weight_still_keeps_coverage_below_100(self):
        # KH's share (1e-18) vanishes beside TH's and VN's in floating point: the reported
        # share sums to exactly 1, and yet a member is missing (STANDARD 1.1).
        weights = {
            (c, "C", y): w
            for c, w in (("TH", 800.0), ("VN", 200.0), ("KH", 1e-15))
            for y in range(2017, 2023)
        }
        members = {c: [member_ix(c, RAW[c])] for c in self.countries} | {"KH": []}
        ix = pick(aggregate(members, weights), "M.MKG.C.N.IX")
        coverages = {p.coverage for p in ix.points}
        assert all(coverage < 100.0 for coverage in coverages), coverages
        assert max(coverages) == math.nextafter(100.0, 0.0)
        assert {p.status for p in ix.points} == {"E"}
        assert ix.attributes["COVERAGE"] < 100.0

    def test_member_statuses_propagate_but_not_its_breaks(self):
        members = {
            "TH": [
                member_ix("TH", RAW["TH"], statuses={date(2024, 5, 1): "P", date(2022, 1, 1): "B"})
            ],
            "VN": [member_ix("VN", RAW["VN"])],
        }
        ix = pick(aggregate(members, self.weights), "M.MKG.C.N.IX")
        assert statuses_of(ix) == {date(2024, 5, 1): "P"}

    def test_latest_month_reported_by_the_small_member_only(self):
        periods = PERIODS[:-1]
        th = member_ix("TH", RAW["TH"], drop={PERIODS[-1]})
        members = {"TH": [th], "VN": [member_ix("VN", RAW["VN"])]}
        ix = pick(aggregate(members, self.weights), "M.MKG.C.N.IX")
        assert [p.period for p in ix.points] == periods


class FirstYearTests(unittest.TestCase):
    def test_starts_with_the_large_member_and_adds_a_late_one_after_its_first_full_year(self):
        start = date(2020, 3, 1)
        late = [d for d in PERIODS if d < start]
        members = {
            "TH": [member_ix("TH", RAW["TH"])],
            "VN": [member_ix("VN", RAW["VN"], drop=set(late))],
        }
        weights = {k: v for k, v in WEIGHTS.items() if k[0] in ("TH", "VN")}
        ix = pick(aggregate(members, weights), "M.MKG.C.N.IX")
        # 2018-2021: TH alone (VN has no complete previous year): the group index is TH's.
        # From 2022: both, VN relative to its 2021 mean.
        th, vn = RAW["TH"], RAW["VN"]
        years = {y: slice((y - 2018) * 12, (y - 2017) * 12) for y in YEARS}
        g = list(100 * th[:48] / th[years[2018]].mean())
        for y in range(2022, 2025):
            w = shares(y - 1, ("TH", "VN"))
            prev = np.mean(g[years[y - 1]])
            cur = slice(years[y].start, min(years[y].stop, len(th)))
            g += list(
                prev
                * (
                    w["TH"] * th[cur] / th[years[y - 1]].mean()
                    + w["VN"] * vn[cur] / vn[years[y - 1]].mean()
                )
            )
        g = np.array(g)
        expected = 100 * g / g[years[2021]].mean()
        np.testing.assert_allclose([p.value for p in ix.points], expected, atol=TOL)
        assert {d for d, s in statuses_of(ix).items() if s == "E"} == set(
            months("2018-01", "2021-12")
        )
        assert ix.points[0].coverage == pytest.approx(100 * shares(2018, ("TH", "VN"))["TH"])
        assert ix.points[-1].coverage == pytest.approx(100.0)

    def test_first_year_is_the_first_with_min_coverage_complete(self):
        weights = {("TH", "C", 2020): 60.0, ("VN", "C", 2020): 40.0}
        members = {
            "TH": [member_ix("TH", RAW["TH"])],
            "VN": [member_ix("VN", RAW["VN"], drop={d for d in PERIODS if d < date(2020, 3, 1)})],
        }
        ix = pick(aggregate(members, weights), "M.MKG.C.N.IX")
        # TH's 60% is not enough; VN is complete from 2021: the aggregate starts in 2021.
        assert ix.points[0].period == date(2021, 1, 1)
        th, vn = RAW["TH"][36:], RAW["VN"][36:]
        g = 100 * (0.6 * th[:12] / th[:12].mean() + 0.4 * vn[:12] / vn[:12].mean())
        np.testing.assert_allclose([p.value for p in ix.points[:12]], g, atol=TOL)
        g2 = g.mean() * (0.6 * th[12:24] / th[:12].mean() + 0.4 * vn[12:24] / vn[:12].mean())
        np.testing.assert_allclose([p.value for p in ix.points[12:24]], g2, atol=TOL)

    def test_no_aggregate_without_the_reference_year(self):
        # Built directly (harmonize_member would not publish members without 2021 either).
        members = {
            c: [
                HarmonizedSeries(
                    "M",
                    c,
                    "C",
                    "N",
                    "IX",
                    tuple(
                        Point(d, v, "A")
                        for d, v in zip(PERIODS, RAW[c], strict=True)
                        if d.year >= 2022
                    ),
                )
            ]
            for c in ("TH", "VN")
        }
        assert aggregate(members) == []

    def test_chain_broken_by_a_month_nobody_reports_restarts(self):
        gone = date(2019, 6, 1)
        members = {c: [member_ix(c, RAW[c], drop={gone})] for c in RAW}
        ix = pick(aggregate(members), "M.MKG.C.N.IX")
        assert ix.points[0].period == date(2020, 1, 1)
        expected = numpy_laspeyres(RAW, list(RAW), y0=2020)
        np.testing.assert_allclose([p.value for p in ix.points], expected[24:], atol=TOL)

    def test_weights_of_the_latest_available_year(self):
        members = {c: [member_ix(c, RAW[c])] for c in RAW}
        only_2019 = {k: v for k, v in WEIGHTS.items() if k[2] == 2019}
        ix = pick(aggregate(members, only_2019), "M.MKG.C.N.IX")
        # Every year uses 2019: before 2019 the earliest year there is, after it the latest.
        fixed = {(c, "C", y): WEIGHTS[(c, "C", 2019)] for c in RAW for y in range(2017, 2023)}
        reference = pick(aggregate(members, fixed), "M.MKG.C.N.IX")
        np.testing.assert_allclose(
            [p.value for p in ix.points], [p.value for p in reference.points], atol=TOL
        )


@pytest.mark.parametrize(
    ("coverage", "shown"),
    [
        (100.0, 100.0),
        (99.954, 99.9),  # a member missing never shows 100.0 ...
        (99.99999999999, 99.9),  # ... however small its weight
        (math.nextafter(100.0, 0.0), 99.9),
        (91.60110904121726, 91.6),
        (79.99999999999999, 80.0),  # a sum of shares a bit short of 80 is 80
        (80.0, 80.0),
        (75.09, 75.0),
        (None, None),
    ],
)
def test_coverage_is_shown_with_one_decimal_rounded_down(coverage, shown):
    assert coverage_shown(coverage) == shown


class CoverageOfFrequenciesTests(unittest.TestCase):
    """STANDARD 1.1: a quarter or year carries the lowest coverage of its months; each series
    (M, Q, A; IX and growth rates) the coverage of its own latest observation, rounded down."""

    def test_each_series_carries_its_own_latest_coverage(self):
        gone = PERIODS[-1]  # VN has not reported 2024-05; 2024-Q1 and 2023 are complete
        members = {
            "TH": [member_ix("TH", RAW["TH"])],
            "VN": [member_ix("VN", RAW["VN"], drop={gone})],
        }
        weights = {k: v for k, v in WEIGHTS.items() if k[0] in ("TH", "VN")}
        result = aggregate(members, weights)
        # 2024 is weighted with 2023's shares, which fall back on 2022's (the table ends there).
        th = Decimal(WEIGHTS[("TH", "C", 2022)]) / (
            Decimal(WEIGHTS[("TH", "C", 2022)]) + Decimal(WEIGHTS[("VN", "C", 2022)])
        )
        may = float((100 * th).quantize(Decimal("0.1"), ROUND_FLOOR))
        assert may < 100.0
        expected = {
            "M.MKG.C.N.IX": may,
            "M.MKG.C.N.PCH_PRE": may,
            "M.MKG.C.N.PCH_SM": may,
            "Q.MKG.C.N.IX": 100.0,  # 2024-Q1, not the latest month
            "Q.MKG.C.N.PCH_PRE": 100.0,
            "Q.MKG.C.N.PCH_SM": 100.0,
            "A.MKG.C.N.IX": 100.0,  # 2023
            "A.MKG.C.N.PCH_PRE": 100.0,
            "A.MKG.C.N.PCH_SM": 100.0,
        }
        assert {s.key: s.attributes["COVERAGE"] for s in result} == expected
        assert pick(result, "Q.MKG.C.N.IX").points[-1].period == date(2024, 1, 1)

    def test_a_quarter_carries_the_lowest_coverage_of_its_months(self):
        gone = date(2023, 5, 1)
        members = {
            "TH": [member_ix("TH", RAW["TH"])],
            "VN": [member_ix("VN", RAW["VN"], drop={gone})],
        }
        weights = {k: v for k, v in WEIGHTS.items() if k[0] in ("TH", "VN")}
        result = aggregate(members, weights)
        months = {p.period: p.coverage for p in pick(result, "M.MKG.C.N.IX").points}
        quarters = {p.period: p.coverage for p in pick(result, "Q.MKG.C.N.IX").points}
        years = {p.period: p.coverage for p in pick(result, "A.MKG.C.N.IX").points}
        assert months[gone] < 100.0
        assert quarters[date(2023, 4, 1)] == min(months[date(2023, m, 1)] for m in (4, 5, 6))
        assert quarters[date(2023, 4, 1)] == months[gone]
        assert years[date(2023, 1, 1)] == months[gone]
        assert quarters[date(2023, 1, 1)] == 100.0
