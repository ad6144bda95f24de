"""H1 combining national codes, H4 growth rates, H5 quarters and years, statuses."""

from __future__ import annotations

import unittest
from datetime import date

import numpy as np
import pytest

from indices.publish.harmonization import PRECEDENCE, NationalObservation, harmonize_member
from indices.publish.harmonization.statuses import worst
from tests.indices.publish.harmonization.helpers import (
    REF_YEAR,
    TOL,
    keys,
    months,
    national,
    observations,
    pick,
    quarters,
    statuses_of,
    values_of,
    wave,
)

PERIODS = months("2019-01", "2024-05")  # 65 months: 2019-2023 complete, 2024 partial


def numpy_rereferenced(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return 100 * values / values[24:36].mean()  # 2021 = months 24-35 from 2019-01


class CombineTests(unittest.TestCase):
    """H1: several national codes of one ISIC code, each re-referenced, weighted mean."""

    def setUp(self):
        self.raw = {
            "1011": wave(len(PERIODS), 90, seed=1),
            "1012": wave(len(PERIODS), 130, trend=-0.1, seed=2),
            "1020": wave(len(PERIODS), 70, trend=0.5, amplitude=2, seed=3),
        }
        self.weights = {"1011": 12.5, "1012": 30.0, "1020": 7.5}

    def series(self, **overrides):
        weights = {**self.weights, **overrides}
        return [
            national(
                observations(PERIODS, values, 2015),
                activity="10",
                nat_code=code,
                weight=weights[code],
            )
            for code, values in self.raw.items()
        ]

    def test_weighted_mean_of_rereferenced_indices_matches_numpy(self):
        harmonized, unpublishable = harmonize_member(series=self.series(), ref_year=REF_YEAR)
        assert unpublishable == []
        stack = np.array([numpy_rereferenced(v) for v in self.raw.values()])
        expected = np.average(stack, axis=0, weights=list(self.weights.values()))
        ix = pick(harmonized, "M.TH.10.N.IX")
        np.testing.assert_allclose([p.value for p in ix.points], expected, rtol=0, atol=TOL)
        assert np.mean(expected[24:36]) == pytest.approx(100.0, abs=1e-12)
        q = pick(harmonized, "Q.TH.10.N.IX")
        np.testing.assert_allclose(
            [p.value for p in q.points], expected[:63].reshape(-1, 3).mean(axis=1), atol=TOL
        )

    def test_single_national_code_needs_no_weight(self):
        harmonized, unpublishable = harmonize_member(
            series=self.series(**{"1011": None})[:1], ref_year=REF_YEAR
        )
        assert unpublishable == []
        np.testing.assert_allclose(
            [p.value for p in pick(harmonized, "M.TH.10.N.IX").points],
            numpy_rereferenced(self.raw["1011"]),
            atol=TOL,
        )

    def test_missing_weight_makes_the_isic_series_unpublishable(self):
        harmonized, [finding] = harmonize_member(
            series=self.series(**{"1012": None}), ref_year=REF_YEAR
        )
        assert harmonized == []
        assert finding.activity == "10"
        assert "national code 1012 is combined with the other national codes of ISIC 10" in (
            finding.reason
        )
        assert "the secretariat must add its base-year value-added weight" in finding.reason

    def test_only_periods_where_every_code_has_a_value(self):
        series = self.series()
        first = series[0]
        series[0] = first.__class__(
            **{**first.__dict__, "observations": first.observations[3:]}  # from 2019-04
        )
        harmonized, _ = harmonize_member(series=series, ref_year=REF_YEAR)
        assert pick(harmonized, "M.TH.10.N.IX").points[0].period == date(2019, 4, 1)

    def test_direct_isic_series_wins_over_national_codes(self):
        direct = national(observations(PERIODS, self.raw["1020"], 2015), activity="10")
        harmonized, _ = harmonize_member(series=[*self.series(), direct], ref_year=REF_YEAR)
        np.testing.assert_allclose(
            [p.value for p in pick(harmonized, "M.TH.10.N.IX").points],
            numpy_rereferenced(self.raw["1020"]),
            atol=TOL,
        )

    def test_nat_base_per_is_the_newest_base_of_the_codes(self):
        series = self.series()
        last = series[-1]
        series[-1] = last.__class__(
            **{
                **last.__dict__,
                "observations": tuple(
                    NationalObservation(o.period, o.value, o.status, 2021)
                    for o in last.observations
                ),
            }
        )
        harmonized, _ = harmonize_member(series=series, ref_year=REF_YEAR)
        assert {s.attributes["NAT_BASE_PER"] for s in harmonized} == {2021}


class DeriveMonthlyTests(unittest.TestCase):
    """H4 and H5 on monthly input, against numpy."""

    def setUp(self):
        self.values = np.array(wave(len(PERIODS), seed=11))
        self.harmonized, _ = harmonize_member(
            series=[national(observations(PERIODS, list(self.values), 2015))], ref_year=REF_YEAR
        )
        self.ix = numpy_rereferenced(self.values)

    def test_every_frequency_and_transformation(self):
        assert keys(self.harmonized) == [
            f"{f}.TH.C.N.{t}" for f in "MQA" for t in ("IX", "PCH_PRE", "PCH_SM")
        ]

    def test_attributes(self):
        attributes = {s.key: s.attributes for s in self.harmonized}
        assert attributes["M.TH.C.N.IX"] == {
            "UNIT_MEASURE": "IX",
            "UNIT_MULT": 0,
            "DECIMALS": 2,
            "REF_YEAR": 2021,
            "NAT_BASE_PER": 2015,
        }
        assert attributes["A.TH.C.N.PCH_SM"] == {
            "UNIT_MEASURE": "PC",
            "UNIT_MULT": 0,
            "DECIMALS": 1,
            "REF_YEAR": 2021,
            "NAT_BASE_PER": 2015,
        }

    def test_monthly_growth(self):
        ix = self.ix
        pre = pick(self.harmonized, "M.TH.C.N.PCH_PRE")
        sm = pick(self.harmonized, "M.TH.C.N.PCH_SM")
        np.testing.assert_allclose(
            [p.value for p in pre.points], 100 * (ix[1:] / ix[:-1] - 1), atol=TOL
        )
        np.testing.assert_allclose(
            [p.value for p in sm.points], 100 * (ix[12:] / ix[:-12] - 1), atol=TOL
        )
        assert pre.points[0].period == date(2019, 2, 1)
        assert sm.points[0].period == date(2020, 1, 1)

    def test_quarters_and_years_of_complete_periods_only(self):
        quarterly = self.ix[:63].reshape(-1, 3).mean(axis=1)  # to 2024-03; Apr-May 2024 partial
        annual = self.ix[:60].reshape(-1, 12).mean(axis=1)  # 2019-2023; 2024 partial
        q = pick(self.harmonized, "Q.TH.C.N.IX")
        a = pick(self.harmonized, "A.TH.C.N.IX")
        np.testing.assert_allclose([p.value for p in q.points], quarterly, atol=TOL)
        np.testing.assert_allclose([p.value for p in a.points], annual, atol=TOL)
        assert q.points[-1].period == date(2024, 1, 1)
        assert [p.period.year for p in a.points] == [2019, 2020, 2021, 2022, 2023]
        assert a.points[2].value == pytest.approx(100.0, abs=1e-12)
        np.testing.assert_allclose(
            [p.value for p in pick(self.harmonized, "Q.TH.C.N.PCH_SM").points],
            100 * (quarterly[4:] / quarterly[:-4] - 1),
            atol=TOL,
        )
        for key in ("A.TH.C.N.PCH_PRE", "A.TH.C.N.PCH_SM"):
            np.testing.assert_allclose(
                [p.value for p in pick(self.harmonized, key).points],
                100 * (annual[1:] / annual[:-1] - 1),
                atol=TOL,
            )

    def test_partial_years_only_give_no_annual_series(self):
        periods = months("2021-01", "2021-12") + months("2022-03", "2022-08")
        harmonized, _ = harmonize_member(
            series=[national(observations(periods, wave(len(periods)), 2021))], ref_year=REF_YEAR
        )
        assert [s.key for s in harmonized if s.freq == "A"] == ["A.TH.C.N.IX"]
        assert len(pick(harmonized, "A.TH.C.N.IX").points) == 1

    def test_growth_needs_both_levels(self):
        obs = list(observations(PERIODS, list(self.values), 2015))
        obs[41] = NationalObservation(obs[41].period, None, "L", 2015)  # 2022-06 not collected
        harmonized, _ = harmonize_member(series=[national(obs)], ref_year=REF_YEAR)
        pre = values_of(pick(harmonized, "M.TH.C.N.PCH_PRE"))
        sm = values_of(pick(harmonized, "M.TH.C.N.PCH_SM"))
        for gone in (date(2022, 6, 1), date(2022, 7, 1)):
            assert gone not in pre
        for gone in (date(2022, 6, 1), date(2023, 6, 1)):
            assert gone not in sm
        assert date(2022, 5, 1) in pre and date(2022, 8, 1) in pre and date(2023, 7, 1) in sm
        assert date(2022, 4, 1) not in values_of(pick(harmonized, "Q.TH.C.N.IX"))
        assert date(2022, 1, 1) not in values_of(pick(harmonized, "A.TH.C.N.IX"))
        assert date(2023, 1, 1) not in values_of(pick(harmonized, "A.TH.C.N.PCH_PRE"))


class QuarterlyInputTests(unittest.TestCase):
    def setUp(self):
        self.periods = quarters("2019-Q1", "2024-Q2")
        self.values = np.array(wave(len(self.periods), 90, trend=0.8, seed=5))
        self.harmonized, self.unpublishable = harmonize_member(
            series=[
                national(
                    observations(self.periods, list(self.values), 2015),
                    freq="Q",
                    ref_area="KH",
                    activity="B-E",
                )
            ],
            ref_year=REF_YEAR,
        )

    def test_quarterly_upload_gives_q_and_a_only(self):
        assert self.unpublishable == []
        assert keys(self.harmonized) == [
            f"{f}.KH.B-E.N.{t}" for f in "QA" for t in ("IX", "PCH_PRE", "PCH_SM")
        ]

    def test_values_against_numpy(self):
        ix = 100 * self.values / self.values[8:12].mean()  # 2021 = quarters 8-11
        annual = ix[:20].reshape(-1, 4).mean(axis=1)
        series = {s.key: [p.value for p in s.points] for s in self.harmonized}
        np.testing.assert_allclose(series["Q.KH.B-E.N.IX"], ix, atol=TOL)
        np.testing.assert_allclose(
            series["Q.KH.B-E.N.PCH_PRE"], 100 * (ix[1:] / ix[:-1] - 1), atol=TOL
        )
        np.testing.assert_allclose(
            series["Q.KH.B-E.N.PCH_SM"], 100 * (ix[4:] / ix[:-4] - 1), atol=TOL
        )
        np.testing.assert_allclose(series["A.KH.B-E.N.IX"], annual, atol=TOL)
        assert pick(self.harmonized, "Q.KH.B-E.N.IX").points[-1].period == date(2024, 4, 1)
        assert pick(self.harmonized, "A.KH.B-E.N.IX").points[-1].period == date(2023, 1, 1)

    def test_quarterly_base_change_links_over_four_quarters(self):
        old_p, new_p = quarters("2015-Q1", "2022-Q4"), quarters("2020-Q1", "2024-Q1")
        old_v, new_v = wave(len(old_p), seed=1), wave(len(new_p), 80, seed=2)
        harmonized, _ = harmonize_member(
            series=[
                national(
                    observations(old_p, old_v, 2015) + observations(new_p, new_v, 2020), freq="Q"
                )
            ],
            ref_year=REF_YEAR,
        )
        ratio = np.mean(new_v[8:12]) / np.mean(old_v[28:32])  # 2022
        linked = np.concatenate([np.array(old_v[:20]) * ratio, new_v])
        expected = 100 * linked / linked[24:28].mean()
        ix = pick(harmonized, "Q.TH.C.N.IX")
        np.testing.assert_allclose([p.value for p in ix.points], expected, atol=TOL)
        assert statuses_of(ix) == {date(2020, 1, 1): "B"}

    def test_monthly_series_supersedes_a_quarterly_one_of_the_same_key(self):
        monthly = national(observations(PERIODS, wave(len(PERIODS)), 2015))
        quarterly = national(
            observations(quarters("2019-Q1", "2024-Q1"), wave(21, 50), 2015), freq="Q"
        )
        a, _ = harmonize_member(series=[monthly], ref_year=REF_YEAR)
        b, _ = harmonize_member(series=[monthly, quarterly], ref_year=REF_YEAR)
        assert a == b


class StatusTests(unittest.TestCase):
    def test_precedence(self):
        assert PRECEDENCE == ("B", "U", "E", "I", "P", "A")
        assert worst(["A", "P"]) == "P"
        assert worst(["P", "I", "A"]) == "I"
        assert worst(["I", "E"]) == "E"
        assert worst(["E", "U", "P"]) == "U"
        assert worst([]) == "A"

    def test_national_statuses_propagate(self):
        statuses = {
            date(2023, 11, 1): "E",
            date(2024, 4, 1): "P",
            date(2024, 5, 1): "P",
            date(2023, 3, 1): "U",
        }
        harmonized, _ = harmonize_member(
            series=[national(observations(PERIODS, wave(len(PERIODS)), 2015, statuses=statuses))],
            ref_year=REF_YEAR,
        )
        assert statuses_of(pick(harmonized, "M.TH.C.N.IX")) == statuses
        assert statuses_of(pick(harmonized, "M.TH.C.N.PCH_PRE")) == {
            date(2023, 3, 1): "U",
            date(2023, 4, 1): "U",
            date(2023, 11, 1): "E",
            date(2023, 12, 1): "E",
            date(2024, 4, 1): "P",
            date(2024, 5, 1): "P",
        }
        assert statuses_of(pick(harmonized, "Q.TH.C.N.IX")) == {
            date(2023, 1, 1): "U",
            date(2023, 10, 1): "E",
        }
        assert statuses_of(pick(harmonized, "A.TH.C.N.IX")) == {date(2023, 1, 1): "U"}

    def test_national_b_is_kept_as_a_break(self):
        statuses = {date(2022, 1, 1): "B"}
        harmonized, _ = harmonize_member(
            series=[national(observations(PERIODS, wave(len(PERIODS)), 2015, statuses=statuses))],
            ref_year=REF_YEAR,
        )
        assert statuses_of(pick(harmonized, "M.TH.C.N.IX")) == statuses
        assert statuses_of(pick(harmonized, "M.TH.C.N.PCH_PRE")) == statuses
