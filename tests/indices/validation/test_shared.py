"""The tables several rules share: the same valid rows whatever the order of the file."""

from __future__ import annotations

import random

from indices.validation.rules.shared import series, valid_rows
from tests.indices.validation.helpers import RuleTestCase, good_values, raw
from tests.indices.validation.helpers import series as rows_of

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
