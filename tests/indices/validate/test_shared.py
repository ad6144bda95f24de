"""The tables several rules share: the same valid rows whatever the order of the file."""

from __future__ import annotations

import random

import polars as pl
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from indices.validate.rules.shared import SERIES_STRIDE, _year_before, series, valid_rows
from tests.indices.validate.helpers import RuleTestCase, good_values, raw
from tests.indices.validate.helpers import series as rows_of

COLUMNS = ["series_id", "period_label", "row_no", "v", "pv", "py", "pct", "pct_year", "flat"]


class ValidRowsTests(RuleTestCase):
    def shared_tables(self, rows):
        self.load(rows)
        ctx = self.context()
        return valid_rows(ctx), series(ctx).select(COLUMNS).sort("series_id", "period_label")

    def test_a_file_in_any_order_gives_the_same_tables(self):
        rows = [
            *rows_of(good_values(30), "2021-01", first_row=2),
            *rows_of(good_values(30), "2021-01", first_row=40, adjustment="S"),
            raw(80, "2022-03", "bad"),  # not valid
        ]
        in_order, expected = self.shared_tables(rows)  # read as it is
        shuffled = rows[:]
        random.Random(7).shuffle(shuffled)
        out_of_order, found = self.shared_tables(shuffled)  # sorted first
        self.assertEqual(found.to_dicts(), expected.to_dicts())
        self.assertEqual((in_order.height, out_of_order.height), (60, 60))

    def test_a_file_written_period_by_period_gives_the_same_tables(self):
        # Row numbers rise down the file, but the series interleave: sorted by series and period.
        original = rows_of(good_values(30), "2021-01", first_row=2) + rows_of(
            good_values(30), "2021-01", first_row=40, adjustment="S"
        )
        _, expected = self.shared_tables(original)
        by_period = sorted(original, key=lambda row: (row.time_period, row.adjustment))
        again = raw(100, "2021-05", "999")  # a later row giving a period again: the first stays
        renumbered = [row._replace(row_no=i + 2) for i, row in enumerate([*by_period, again])]
        valid, found = self.shared_tables(renumbered)
        self.assertEqual(valid.height, 60)
        self.assertNotIn(999.0, valid["v"].to_list())
        self.assertEqual(found.drop("row_no").to_dicts(), expected.drop("row_no").to_dicts())

    def test_of_a_series_and_period_given_twice_the_first_row_stays(self):
        rows = [*rows_of(good_values(30), "2021-01", first_row=2), raw(81, "2022-04", "101")]
        valid, _ = self.shared_tables([rows[-1], *rows[:-1]])  # row 81 first in the file
        self.assertEqual(valid.height, 30)
        self.assertNotIn(81, valid["row_no"].to_list())  # row 17 gives 2022-04 too

    def test_rows_in_order_and_all_valid_are_all_read_in_their_order(self):
        rows = rows_of(good_values(24), "2021-01")
        self.load(rows)
        valid = valid_rows(self.context())
        self.assertEqual(valid["row_no"].to_list(), [row.row_no for row in rows])


class YearBeforeTests(SimpleTestCase):
    """`_year_before` finds the same period a year before as a search of every key would."""

    @staticmethod
    def searched(keys: list[int]) -> list[int | None]:
        position = {key: i for i, key in enumerate(keys)}
        return [position.get(key - 12) for key in keys]

    def check(self, keys: list[int]) -> None:
        found = _year_before(pl.DataFrame({"key": keys}, schema={"key": pl.Int64}))
        self.assertEqual(found.to_list(), self.searched(keys))

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 60), st.sampled_from([1, 3])),
            max_size=60,
        )
    )
    def test_series_with_gaps_quarters_and_months(self, periods):
        # (series, month, step): months and quarters, with gaps where a month was drawn twice
        keys = sorted({sk * SERIES_STRIDE + month - month % step for sk, month, step in periods})
        self.check(keys)

    def test_a_whole_monthly_series_then_a_quarterly_one(self):
        monthly = list(range(100, 140))
        quarterly = [SERIES_STRIDE + month for month in range(0, 60, 3)]
        self.check(monthly + quarterly)
        self.check([])
