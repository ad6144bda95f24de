"""COMMENT through harmonization: kept on the level series the agency sent (linked and
re-referenced), dropped on everything derived from several values (docs/methodology.md)."""

from __future__ import annotations

import unittest
from datetime import date

from indices.publish.harmonization import harmonize_member
from tests.indices.publish.harmonization.helpers import (
    REF_YEAR,
    months,
    national,
    observations,
    pick,
    quarters,
    wave,
)

THAI = "ทดสอบ: โรงงานปิดซ่อมบำรุง"  # "test: plant closed for maintenance"


def commented(obs, comments: dict[date, str]):
    return tuple(o._replace(comment=comments.get(o.period, "")) for o in obs)


def comments_of(series) -> dict[date, str]:
    return {p.period: p.comment for p in series.points if p.comment}


class CommentTests(unittest.TestCase):
    def test_the_level_series_keeps_the_comment_and_nothing_derived_has_one(self):
        periods = months("2021-01", "2022-06")
        obs = commented(observations(periods, wave(len(periods)), 2021), {date(2022, 2, 1): THAI})
        harmonized, problems = harmonize_member(series=[national(obs)], ref_year=REF_YEAR)
        self.assertEqual(problems, [])
        self.assertEqual(comments_of(pick(harmonized, "M.TH.C.N.IX")), {date(2022, 2, 1): THAI})
        for series in harmonized:
            if series.key != "M.TH.C.N.IX":
                with self.subTest(key=series.key):
                    self.assertEqual(comments_of(series), {})

    def test_a_quarterly_upload_keeps_it_on_the_quarterly_levels(self):
        periods = quarters("2021-Q1", "2022-Q4")
        obs = commented(
            observations(periods, wave(len(periods)), 2021), {date(2022, 4, 1): "late survey"}
        )
        harmonized, _ = harmonize_member(series=[national(obs, freq="Q")], ref_year=REF_YEAR)
        self.assertEqual(
            comments_of(pick(harmonized, "Q.TH.C.N.IX")), {date(2022, 4, 1): "late survey"}
        )
        self.assertEqual(comments_of(pick(harmonized, "A.TH.C.N.IX")), {})

    def test_linking_keeps_each_values_own_comment_and_the_newest_base_wins(self):
        old_periods = months("2019-01", "2023-12")
        new_periods = months("2021-01", "2024-03")
        old = commented(
            observations(old_periods, wave(len(old_periods), 120), 2016),
            {date(2020, 5, 1): "old-base history", date(2022, 1, 1): "superseded"},
        )
        new = commented(
            observations(new_periods, wave(len(new_periods), 100), 2021),
            {date(2021, 1, 1): "first month on base 2021"},
        )
        harmonized, _ = harmonize_member(series=[national(old), national(new)], ref_year=REF_YEAR)
        level = pick(harmonized, "M.TH.C.N.IX")
        self.assertEqual(
            comments_of(level),
            {date(2020, 5, 1): "old-base history", date(2021, 1, 1): "first month on base 2021"},
        )
        # The break flag does not lose the comment of the value it marks.
        self.assertEqual({p.period: p.status for p in level.points}[date(2021, 1, 1)], "B")

    def test_one_national_code_keeps_its_comment_a_combination_of_several_does_not(self):
        periods = months("2021-01", "2022-03")
        note = {date(2022, 1, 1): "ทดสอบ"}
        alone = national(
            commented(observations(periods, wave(len(periods)), 2021), note),
            activity="10",
            nat_code="1011",
            weight=3.0,
        )
        harmonized, _ = harmonize_member(series=[alone], ref_year=REF_YEAR)
        self.assertEqual(comments_of(pick(harmonized, "M.TH.10.N.IX")), note)
        other = national(
            observations(periods, wave(len(periods), seed=2), 2021),
            activity="10",
            nat_code="1012",
            weight=1.0,
        )
        harmonized, _ = harmonize_member(series=[alone, other], ref_year=REF_YEAR)
        self.assertEqual(comments_of(pick(harmonized, "M.TH.10.N.IX")), {})
