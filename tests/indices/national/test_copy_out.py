"""Bulk reads through COPY: parameters sent as arrays of a polars Series' values."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import connection
from django.test import TestCase

from indices.national.copy_out import array_params, array_text, copied_out

_ROUND_TRIP = """
SELECT t, d, i
FROM unnest(%(texts)s::text[], %(dates)s::date[], %(numbers)s::int[]) AS given (t, d, i)
"""
_SCHEMA = {"t": pl.String, "d": pl.Date, "i": pl.Int32}


class ArrayTextTests(TestCase):
    def test_every_value_comes_back_as_it_was_given(self):
        texts = pl.Series(["plain", 'a"b', "c\\d", "x,y", "{z}", " lead ", "NULL", "", None, "é'"])
        dates = pl.Series([dt.date(2024, 1, 1), None, dt.date(1985, 12, 1)] + [None] * 7)
        numbers = pl.Series([1, None, -3, 2**31 - 1] + [0] * 6, dtype=pl.Int32)
        read = copied_out(
            _ROUND_TRIP, {"texts": texts, "dates": dates, "numbers": numbers}, _SCHEMA
        )
        self.assertEqual(read["t"].to_list(), texts.to_list())
        self.assertEqual(read["d"].to_list(), dates.to_list())
        self.assertEqual(read["i"].to_list(), numbers.to_list())

    def test_an_empty_series_is_an_empty_array(self):
        self.assertEqual(array_text(pl.Series([], dtype=pl.String)), "{}")
        empty = {"texts": pl.Series([], dtype=pl.String), "dates": [], "numbers": []}
        self.assertEqual(copied_out(_ROUND_TRIP, empty, _SCHEMA).height, 0)

    def test_a_statement_run_through_django_takes_them_too(self):
        texts = pl.Series(["plain", 'a"b', "c\\d", "x,y", "NULL", "", None, "é'"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS given (t, n)"
                " WHERE %(agency)s = 'TH_OIE' ORDER BY n",
                array_params({"texts": texts, "agency": "TH_OIE"}),
            )
            self.assertEqual([t for (t,) in cursor.fetchall()], texts.to_list())
