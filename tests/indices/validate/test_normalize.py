from __future__ import annotations

import datetime as dt
import random

import polars as pl
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from indices.validate.frame import (
    _distinct,
    normalized_frame,
    raw_frame,
)
from indices.validate.normalize import Normalizer, parse_period
from indices.validate.staging import NORMALIZED_COLUMNS
from tests.indices.validate.helpers import CONCORDANCE, STANDARD, raw

NORMALIZED = NORMALIZED_COLUMNS


class NormalizerTests(SimpleTestCase):
    def setUp(self) -> None:
        self.normalizer = Normalizer(standard=STANDARD, concordance=CONCORDANCE)

    def normalized(self, *rows):
        frame = normalized_frame(raw_frame(rows), self.normalizer)
        return [tuple(row) for row in frame.select(NORMALIZED).iter_rows()]

    def test_defaults_and_series_id(self):
        self.assertEqual(
            self.normalized(raw(2, "2024-01", "101.5")),
            [("M", "N", "A", "C", dt.date(2024, 1, 1), "2024-01", 101.5, 2021, "M.TH.C.N")],
        )

    def test_national_code_is_its_own_series_mapped_to_isic(self):
        [result] = self.normalized(raw(2, activity="", nat_code="1011"))
        self.assertEqual(result[3], "10")
        self.assertEqual(result[8], "M.TH.NAT:1011.N")

    def test_unknown_national_code(self):
        [result] = self.normalized(raw(2, activity="", nat_code="9999"))
        self.assertIsNone(result[3])
        self.assertEqual(result[8], "M.TH.NAT:9999.N")

    def test_excel_drops_leading_zero_of_division(self):
        [result] = self.normalized(raw(2, activity="5"))
        self.assertEqual((result[3], result[8]), ("05", "M.TH.05.N"))

    def test_invalid_codes_are_none(self):
        [result] = self.normalized(
            raw(2, activity="X", adjustment="Z", freq="A", obs_status="Q", base_per="21")
        )
        freq_n, adjustment_n, status_n, activity_n, start, label, _, base_year, sid = result
        self.assertEqual(
            (freq_n, adjustment_n, status_n, activity_n, start, label, base_year, sid),
            (None, None, None, None, None, None, None, None),
        )

    def test_quarterly(self):
        [result] = self.normalized(raw(2, "2024Q3", freq="q", adjustment="s"))
        self.assertEqual(result[:6], ("Q", "S", "A", "C", dt.date(2024, 7, 1), "2024-Q3"))
        self.assertEqual(result[8], "Q.TH.C.S")

    def test_row_order_is_kept(self):
        rows = [raw(i, "2024-01" if i % 2 else "2023-05", str(i)) for i in range(2, 40)]
        frame = normalized_frame(raw_frame(rows), self.normalizer)
        self.assertEqual(frame["row_no"].to_list(), list(range(2, 40)))
        self.assertEqual(frame["value_n"].to_list(), [float(i) for i in range(2, 40)])

    def test_periods(self):
        for text in ("2024-01", "2024M01", "2024-M01"):
            self.assertEqual(parse_period(text, "M"), (dt.date(2024, 1, 1), "2024-01"), text)
        for text in ("2024-Q1", "2024Q1"):
            self.assertEqual(parse_period(text, "Q"), (dt.date(2024, 1, 1), "2024-Q1"), text)
        for text, freq in [
            ("2024-13", "M"),
            ("2024-1", "M"),
            ("202401", "M"),
            ("2024-Q1", "M"),
            ("2024-01", "Q"),
            ("2024-Q5", "Q"),
            ("", "M"),
            ("2024-01", None),
        ]:
            self.assertIsNone(parse_period(text, freq), (text, freq))

    def values(self, *texts: str) -> list[float | None]:
        frame = normalized_frame(raw_frame([raw(2, obs_value=t) for t in texts]), self.normalizer)
        return frame["value_n"].to_list()

    def test_values(self):
        self.assertEqual(
            self.values("101.25", "-3", "1.5e2", ".5", "\u0e51\u0e50\u0e50"),
            [101.25, -3.0, 150.0, 0.5, 100.0],
        )
        bad = ("NaN", "inf", "Infinity", ".", "1,234.5", "1234,5", "", "1e999", "12a", " 1")
        self.assertEqual(self.values(*bad), [None] * len(bad))

    @settings(max_examples=200, deadline=None)
    @given(st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
    def test_a_value_reads_as_python_reads_a_plain_decimal(self, value):
        text = repr(value) if isinstance(value, float) else value
        plain = text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "+inf")
        try:
            expected = float(text) if plain and "_" not in text else None
        except ValueError:
            expected = None
        if expected is not None and (expected != expected or abs(expected) == float("inf")):
            expected = None
        if text.lower().lstrip("+-") in ("infinity", "nan", "inf"):
            expected = None
        self.assertEqual(self.values(text), [expected], text)


# Few values per column, so rows repeat (in runs and apart), as a file's series keys do.
_KEY_TEXT = st.sampled_from(["", "a", "b", "N0001", "ก"]) | st.none()


class DistinctKeysTests(SimpleTestCase):
    """`_distinct` matches rows to their distinct key exactly, whatever the rows' order."""

    def check(self, rows: list[tuple]) -> None:
        columns = tuple(f"c{i}" for i in range(len(rows[0]) if rows else 3))
        frame = pl.DataFrame(rows or None, schema=dict.fromkeys(columns, pl.String), orient="row")
        distinct, of_row = _distinct(frame, columns)
        index: dict[tuple, int] = {}
        expected_of_row = [index.setdefault(row, len(index)) for row in rows]
        self.assertEqual(list(distinct.iter_rows()), list(index))
        self.assertEqual(of_row.to_list(), expected_of_row)
        self.assertEqual(of_row.dtype, pl.UInt32)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(_KEY_TEXT, _KEY_TEXT, _KEY_TEXT), max_size=40))
    def test_any_rows(self, rows):
        self.check(rows)

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.tuples(st.just("TH"), _KEY_TEXT, st.just("M")), max_size=40))
    def test_one_varying_column(self, rows):
        self.check(rows)

    def test_runs_constant_columns_and_nothing(self):
        series = [("TH", f"N{i}", "N") for i in range(3)]
        self.check([row for row in series for _ in range(4)] + series)  # runs, then again
        self.check([("TH", "N1", "N")] * 5)
        self.check([("TH", "N1", None), ("TH", "N1", "")])
        self.check([])

    def test_many_columns_each_with_many_texts(self):
        # Six columns of 1,024 texts each and one of 32: their numbers' product is 2**65. Taken
        # modulo 2**64 it would make the last row, which differs from the first in its first
        # column only (text 512 against 0), the same key as the first.
        rows = [(*(f"{column}{i}" for column in "abcdef"), f"g{i % 32}") for i in range(1024)]
        rows.append(("a512", "b0", "c0", "d0", "e0", "f0", "g0"))
        self.check(rows)
        self.check([row for row in rows for _ in range(3)])  # in runs
        generator = random.Random(7)
        self.check(generator.sample(rows, len(rows)) + rows[:40])  # shuffled, some again
