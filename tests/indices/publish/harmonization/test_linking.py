"""H3 linking base changes and H2 re-referencing, against numpy computations written apart."""

from __future__ import annotations

import unittest
from datetime import date

import numpy as np
import pytest

from indices.publish.harmonization import harmonize_member
from indices.publish.harmonization.member import link_base_changes
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

OLD_PERIODS = months("2016-01", "2023-12")  # Thailand: 2016 = 100 until the end of 2023
NEW_PERIODS = months("2021-01", "2024-05")  # 2021 = 100 from 2021-01: overlap 2021-2023
OLD = wave(len(OLD_PERIODS), level=100, trend=0.35, seed=1)
NEW = wave(len(NEW_PERIODS), level=88, trend=0.3, amplitude=5, seed=2)


def thailand(**kwargs):
    return national(
        observations(OLD_PERIODS, OLD, 2016) + observations(NEW_PERIODS, NEW, 2021), **kwargs
    )


def numpy_thailand() -> np.ndarray:
    """Independent: old base 2016-01..2020-12 times the ratio of 2023 means, then the 2021 base
    from 2021-01 on; divided by the mean of 2021 and times 100."""
    old, new = np.array(OLD), np.array(NEW)
    ratio = new[24:36].mean() / old[84:96].mean()  # 2023: months 24-35 of new, 84-95 of old
    linked = np.concatenate([old[:60] * ratio, new])  # old 2016-2020, new 2021-01..2024-05
    return 100 * linked / linked[60:72].mean()


class ThailandBaseChangeTests(unittest.TestCase):
    def test_linked_with_the_ratio_of_2023_means(self):
        linked = link_base_changes("M", thailand().observations)
        [link] = linked.links
        assert (link.older, link.newer, link.overlap) == (2016, 2021, "2023")
        assert link.ratio == pytest.approx(np.mean(NEW[24:36]) / np.mean(OLD[84:96]), abs=1e-12)
        assert linked.newest_base == 2021

    def test_levels_match_numpy_and_ref_year_mean_is_100(self):
        harmonized, unpublishable = harmonize_member(series=[thailand()], ref_year=REF_YEAR)
        assert unpublishable == []
        ix = pick(harmonized, "M.TH.C.N.IX")
        expected = numpy_thailand()
        assert [p.period for p in ix.points] == months("2016-01", "2024-05")
        np.testing.assert_allclose([p.value for p in ix.points], expected, rtol=0, atol=TOL)
        ref = [v for d, v in values_of(ix).items() if d.year == REF_YEAR]
        assert np.mean(ref) == pytest.approx(100.0, abs=1e-12)
        assert pick(harmonized, "A.TH.C.N.IX").points[5].value == pytest.approx(100.0, abs=1e-12)

    def test_new_base_wins_in_the_overlap_and_b_marks_its_first_used_value(self):
        harmonized, _ = harmonize_member(series=[thailand()], ref_year=REF_YEAR)
        ix = pick(harmonized, "M.TH.C.N.IX")
        # 2021-2023 come from the 2021 base, re-referenced: its own values over its 2021 mean.
        new_2021_mean = np.mean(NEW[:12])
        assert values_of(ix)[date(2022, 7, 1)] == pytest.approx(
            100 * NEW[18] / new_2021_mean, abs=TOL
        )
        # The first new-base value used is 2021-01 (not 2024-01, where the old base ends).
        assert statuses_of(ix) == {date(2021, 1, 1): "B"}
        assert ix.attributes["NAT_BASE_PER"] == 2021

    def test_b_on_derived_values_that_span_the_link_only(self):
        harmonized, _ = harmonize_member(series=[thailand()], ref_year=REF_YEAR)
        assert statuses_of(pick(harmonized, "M.TH.C.N.PCH_PRE")) == {date(2021, 1, 1): "B"}
        yoy = statuses_of(pick(harmonized, "M.TH.C.N.PCH_SM"))
        assert yoy == {d: "B" for d in months("2021-01", "2021-12")}
        assert statuses_of(pick(harmonized, "Q.TH.C.N.IX")) == {date(2021, 1, 1): "B"}
        assert statuses_of(pick(harmonized, "A.TH.C.N.IX")) == {date(2021, 1, 1): "B"}
        assert statuses_of(pick(harmonized, "A.TH.C.N.PCH_PRE")) == {date(2021, 1, 1): "B"}

    def test_base_of_every_observation_given_as_separate_series_objects(self):
        one = thailand()
        split = [
            national(observations(OLD_PERIODS, OLD, 2016)),
            national(observations(NEW_PERIODS, NEW, 2021)),
        ]
        a, _ = harmonize_member(series=[one], ref_year=REF_YEAR)
        b, _ = harmonize_member(series=split, ref_year=REF_YEAR)
        assert a == b


class ChainedBaseChangeTests(unittest.TestCase):
    def test_three_bases_chain(self):
        p05, p10, p15 = (
            months("2005-01", "2012-12"),
            months("2010-01", "2017-12"),
            months("2015-01", "2024-03"),
        )
        v05, v10, v15 = (
            wave(len(p05), 60, seed=3),
            wave(len(p10), 80, seed=4),
            wave(len(p15), 95, seed=5),
        )
        series = national(
            observations(p05, v05, 2005)
            + observations(p10, v10, 2010)
            + observations(p15, v15, 2015)
        )
        # numpy: 2010 -> 2015 over 2017; 2005 -> 2010 over 2012; factors multiply.
        a05, a10, a15 = map(np.array, (v05, v10, v15))
        r10 = a15[24:36].mean() / a10[84:96].mean()
        r05 = a10[24:36].mean() / a05[84:96].mean()
        linked = np.concatenate([a05[:60] * r05 * r10, a10[:60] * r10, a15])
        ref = linked[(2021 - 2005) * 12 : (2022 - 2005) * 12].mean()
        harmonized, _ = harmonize_member(series=[series], ref_year=REF_YEAR)
        ix = pick(harmonized, "M.TH.C.N.IX")
        np.testing.assert_allclose([p.value for p in ix.points], 100 * linked / ref, atol=TOL)
        assert statuses_of(ix) == {date(2010, 1, 1): "B", date(2015, 1, 1): "B"}
        assert ix.attributes["NAT_BASE_PER"] == 2015

    def test_overlap_without_a_complete_year_uses_the_overlapping_months(self):
        old_p, new_p = months("2015-01", "2021-06"), months("2021-03", "2024-05")
        old_v, new_v = wave(len(old_p), seed=6), wave(len(new_p), 70, seed=7)
        linked = link_base_changes(
            "M", observations(old_p, old_v, 2015) + observations(new_p, new_v, 2020)
        )
        [link] = linked.links
        assert link.overlap == "2021-03 to 2021-06"
        assert link.ratio == pytest.approx(np.mean(new_v[:4]) / np.mean(old_v[-4:]), abs=1e-12)
        assert linked.levels[old_p[0].year * 12].value == pytest.approx(old_v[0] * link.ratio)

    def test_missing_statuses_are_gaps_not_values(self):
        periods = months("2020-01", "2022-12")
        values = wave(len(periods), seed=8)
        obs = list(observations(periods, values, 2021))
        obs[30] = obs[30].__class__(obs[30].period, None, "L", 2021)  # 2022-07
        harmonized, _ = harmonize_member(series=[national(obs)], ref_year=REF_YEAR)
        ix = values_of(pick(harmonized, "M.TH.C.N.IX"))
        assert date(2022, 7, 1) not in ix
        assert len(ix) == 35

    def test_unlinkable_older_base_is_dropped_when_the_newer_covers_the_ref_year(self):
        old_p, new_p = months("2010-01", "2015-12"), months("2017-01", "2024-05")
        series = national(
            observations(old_p, wave(len(old_p)), 2010)
            + observations(new_p, wave(len(new_p), seed=1), 2020)
        )
        harmonized, unpublishable = harmonize_member(series=[series], ref_year=REF_YEAR)
        assert unpublishable == []
        ix = pick(harmonized, "M.TH.C.N.IX")
        assert ix.points[0].period == date(2017, 1, 1)
        assert statuses_of(ix) == {}


class RereferenceTests(unittest.TestCase):
    def test_three_months_example_of_the_methodology(self):
        """docs/methodology.md H2: a 2015 = 100 series with REF_YEAR mean 112.5."""
        periods = months("2021-01", "2022-03")
        values = [110.0, 115.0] * 6 + [120.0, 126.0, 123.0]
        harmonized, _ = harmonize_member(
            series=[national(observations(periods, values, 2015))], ref_year=REF_YEAR
        )
        tail = pick(harmonized, "M.TH.C.N.IX").points[-3:]
        assert [p.value for p in tail] == pytest.approx(
            [106.6666666667, 112.0, 109.3333333333], abs=1e-9
        )
        assert [p.value for p in pick(harmonized, "M.TH.C.N.PCH_PRE").points[-2:]] == (
            pytest.approx([5.0, -2.3809523810], abs=1e-9)
        )

    def test_growth_rates_unchanged_by_rereferencing(self):
        periods = months("2019-01", "2023-12")
        values = np.array(wave(len(periods), seed=9))
        harmonized, _ = harmonize_member(
            series=[national(observations(periods, list(values), 2015))], ref_year=REF_YEAR
        )
        pre = [p.value for p in pick(harmonized, "M.TH.C.N.PCH_PRE").points]
        np.testing.assert_allclose(pre, 100 * (values[1:] / values[:-1] - 1), atol=TOL)


class UnpublishableTests(unittest.TestCase):
    def test_series_without_the_reference_year_and_no_link(self):
        periods = months("2022-01", "2024-05")
        series = national(observations(periods, wave(len(periods)), 2022), activity="10")
        harmonized, [finding] = harmonize_member(series=[series], ref_year=REF_YEAR)
        assert harmonized == []
        assert (finding.ref_area, finding.activity, finding.adjustment, finding.freq) == (
            "TH",
            "10",
            "N",
            "M",
        )
        assert finding.reason == (
            "Series M.TH.10.N cannot be published: ISIC 10 (values 2022-01 to 2024-05) has no "
            "value for 2021-01 to 2021-12, so it cannot be re-referenced to the reference year "
            "2021 = 100 (H2); send the missing months of 2021 on any base year, or an older or "
            "newer base year that overlaps this one by at least one period (a full calendar "
            "year is best) so that the two can be linked."
        )

    def test_reason_names_bases_that_share_no_period(self):
        old_p, new_p = months("2015-01", "2020-12"), months("2022-01", "2024-05")
        series = national(
            observations(old_p, wave(len(old_p)), 2015)
            + observations(new_p, wave(len(new_p)), 2022)
        )
        _, [finding] = harmonize_member(series=[series], ref_year=REF_YEAR)
        assert (
            "its base 2015 (values 2015-01 to 2020-12) and base 2022 (values 2022-01 to "
            "2024-05) share no period with values in both, so the older base cannot be "
            "linked (H3)"
        ) in finding.reason

    def test_incomplete_reference_year_lists_the_missing_months(self):
        periods = [d for d in months("2020-01", "2022-12") if d not in (date(2021, 3, 1),)]
        periods = [d for d in periods if d < date(2021, 7, 1) or d > date(2021, 8, 1)]
        series = national(observations(periods, wave(len(periods)), 2020))
        _, [finding] = harmonize_member(series=[series], ref_year=REF_YEAR)
        assert "has no value for 2021-03, 2021-07 to 2021-08," in finding.reason

    def test_only_missing_statuses(self):
        obs = [
            o.__class__(o.period, None, "M", 2021)
            for o in observations(months("2021-01", "2021-12"), [1.0] * 12, 2021)
        ]
        harmonized, [finding] = harmonize_member(series=[national(obs)], ref_year=REF_YEAR)
        assert harmonized == []
        assert "has no value, only missing statuses" in finding.reason

    def test_other_series_of_the_member_still_published(self):
        bad_p = months("2022-01", "2024-05")
        good_p = months("2020-01", "2024-05")
        harmonized, unpublishable = harmonize_member(
            series=[
                national(observations(bad_p, wave(len(bad_p)), 2022), activity="10"),
                national(observations(good_p, wave(len(good_p)), 2021), activity="11"),
            ],
            ref_year=REF_YEAR,
        )
        assert [u.activity for u in unpublishable] == ["10"]
        assert {s.activity for s in harmonized} == {"11"}
        assert "M.TH.11.N.IX" in keys(harmonized)
