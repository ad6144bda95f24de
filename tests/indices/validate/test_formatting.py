"""The formatting helpers write exactly what PostgreSQL wrote in the old SQL rules' messages.

Every helper is compared with the real server, on the same values: `round(x::numeric, n)`
(rounded, signed), float8 output (float_text), a Python number bound as a literal (parameter,
parameter_text), quote_literal, and to_char (period_label, month_name). Values: fixed hard
cases (halves, the 15-digit limit of float8 -> numeric, exponent thresholds, negative zero),
values from a seeded random.Random, and Hypothesis.
"""

from __future__ import annotations

import math
import random
from datetime import date

from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from indices.periods import period_label
from indices.validate.rules.formatting import (
    float_text,
    month_name,
    parameter,
    parameter_text,
    quote_literal,
    rounded,
    signed,
)

HYPOTHESIS = settings(max_examples=200, deadline=None, database=None)

HARD_CASES = [
    0.125,
    2.675,
    -0.05,
    1e-7,
    123456789.123456,
    1e9,
    0.0001,
    0.00001,
    1e15,
    1e16,
    -0.0,
    0.0,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.05,
    0.15,
    0.25,
    0.35,
    -0.35,
    1.005,
    1.015,
    1.025,
    1.0005,
    99.95,
    99.995,
    100.0,
    100.05,
    -0.04,
    -0.049,
    1e-6,
    9.999999e-5,
    0.000123,
    123456.789,
    999999999.995,
    1234567.891234567,
    0.1 + 0.2,
    1 / 3,
    -2 / 3,
    100 * (101.3 / 99.7 - 1),
    100 * (86.9 / 109.7 - 1),
    100 * (119.7 / 114.0 - 1),
    1e14 + 0.5,
    999999999999999.9,
    1234567890123456.0,
    -1234567890123456.8,
    9007199254740993.0,
    1.7976931348623157e308,
    5e-324,
    2.2250738585072014e-308,
    1e22,
    1e-300,
]


def _seeded_values(seed: int = 20240610, count: int = 400) -> list[float]:
    """Index levels, changes in percent, exact halves at 0 to 3 decimals (both signs), and
    magnitudes from 1e-8 to 1e17."""
    rng = random.Random(seed)
    values: list[float] = []
    for _ in range(count):
        places = rng.randint(0, 4)
        values.append(round(rng.uniform(0.000001, 1000), places))
        values.append(rng.uniform(-100, 100))
        values.append(100 * (rng.uniform(50, 150) / rng.uniform(50, 150) - 1))
        half = rng.randint(0, 3)
        values.append((rng.randint(-(10**6), 10**6) + 0.5) / 10**half)
        values.append(rng.uniform(1e-6, 1e9) * rng.choice([1, -1]))
        values.append(10 ** rng.uniform(-8, 17))
    return values


SEEDED = _seeded_values()

# The values a finding's message can hold: levels 1e-6..1e9 (E06), changes of either sign.
LEVELS = st.floats(min_value=1e-6, max_value=1e9)
NUMBERS = LEVELS | LEVELS.map(lambda x: -x) | st.sampled_from(HARD_CASES)
# PostgreSQL text holds no NUL and no unpaired surrogate.
TEXTS = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40
) | st.sampled_from(["", "'", "\\", "''", "\\'", "a'b\\c", "E'x'", "1,5", "ผลิต's\\"])


def pg_column(sql: str, values: list, array_type: str, *params: object) -> list[str]:
    """`sql` over a column x (its own parameters `params`) evaluated by PostgreSQL for each of
    `values`, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM unnest(%s::{array_type}[]) WITH ORDINALITY AS t(x, i) ORDER BY i",
            [*params, values],
        )
        return [text for (text,) in cursor.fetchall()]


class RoundedTests(TestCase):
    def assert_rounded(self, values: list[float]) -> None:
        for places in range(5):
            expected = pg_column("round(x::numeric, %s)::text", values, "float8", places)
            for value, text in zip(values, expected, strict=True):
                self.assertEqual(rounded(value, places), text, (value, places))

    def test_hard_cases(self):
        self.assert_rounded(HARD_CASES)

    def test_seeded_values(self):
        self.assert_rounded(SEEDED)

    def test_large_values(self):
        # Beyond what a finding can show (levels stop at 1e9), but numeric still rounds them.
        self.assert_rounded([1e20, -1e22, 1.7976931348623157e308, 1e300])

    @HYPOTHESIS
    @given(st.lists(NUMBERS, min_size=1, max_size=20))
    def test_hypothesis(self, values):
        self.assert_rounded(values)


class SignedTests(TestCase):
    def assert_signed(self, values: list[float]) -> None:
        # rules/movement.py's old signed(): a sign for >= 0, then round(x::numeric, places)
        sql = "CASE WHEN x >= 0 THEN '+' ELSE '' END || round(x::numeric, %s)"
        for places in (1, 2, 3):
            expected = pg_column(sql, values, "float8", places)
            for value, text in zip(values, expected, strict=True):
                self.assertEqual(signed(value, places), text, (value, places))

    def test_hard_cases_and_seeded_values(self):
        self.assert_signed(HARD_CASES + SEEDED)

    def test_default_places_is_one(self):
        self.assertEqual(signed(35.25), "+35.3")
        self.assertEqual(signed(-21.25), "-21.3")
        self.assertEqual(signed(-0.04), "0.0")

    @HYPOTHESIS
    @given(st.lists(NUMBERS, min_size=1, max_size=20))
    def test_hypothesis(self, values):
        self.assert_signed(values)


# float_text equals PostgreSQL's float8 output below 2**53. From there, an integer-valued double
# whose shortest digits fall exactly on the bound of its rounding interval is written by
# PostgreSQL's Ryu, which never takes a bound, with more digits: 5.209583273257122e16 is
# "5.2095832732571216e+16" (Python's repr: "5.209583273257122e+16"). Messages never show such
# numbers (levels stop at 1e9), so the comparison keeps below 2**53.
EXACT_BELOW = 2.0**53


class FloatTextTests(TestCase):
    def assert_float_text(self, values: list[float]) -> None:
        expected = pg_column("x::text", values, "float8")
        for value, text in zip(values, expected, strict=True):
            self.assertEqual(float_text(value), text, value)

    def test_hard_cases(self):
        self.assert_float_text(HARD_CASES)

    def test_seeded_values(self):
        self.assert_float_text([v for v in SEEDED if abs(v) < EXACT_BELOW])

    def test_special_values(self):
        self.assert_float_text([math.nan, math.inf, -math.inf, -0.0])

    def test_exponent_thresholds(self):
        # PostgreSQL switches to exponent form below 1e-4 and from 1e15; Python's repr at 1e16.
        values = []
        for exponent in (-5, -4, 14, 15, 16):
            for mantissa in (1.0, 1.5, 9.999999999999999, 1.234567890123456, 7.000000000000001):
                values += [mantissa * 10.0**exponent, -mantissa * 10.0**exponent]
        values += [float(n) for n in (10**15 - 1, 10**15 + 1, 2**53, 2**53 + 2, 10**16 - 2)]
        self.assert_float_text(values)

    @HYPOTHESIS
    @given(st.lists(NUMBERS | st.floats(-EXACT_BELOW, EXACT_BELOW), min_size=1, max_size=20))
    def test_hypothesis(self, values):
        self.assert_float_text(values)


THRESHOLDS = [0.5, 5.0, 15.0, 20.0, 40.0, 2.0, 4.0, 1.4826, 1e-06, 1e-05, 1e9, 1e16, 1e22]
THRESHOLDS += [0.1 + 0.2, 1 / 3, 99.5, -3.5, 5, 45, 10, 1000000000, 0]


class ParameterTests(TestCase):
    """The SQL rules' thresholds were bound by Django's client-side cursor as literals
    (str(number)), which PostgreSQL read as numeric (or integer): what `parameter` models."""

    def assert_parameters(self, numbers: list[float | int]) -> None:
        with connection.cursor() as cursor:
            for number in numbers:
                cursor.execute(
                    "SELECT pg_typeof(%s)::text, (%s)::text, (100 - %s)::text, (100 + %s)::text",
                    [number] * 4,
                )
                kind, text, below, above = cursor.fetchone()
                self.assertNotEqual(kind, "double precision", "bound server-side as a double")
                self.assertEqual(parameter_text(number), text, number)
                self.assertEqual(format(100 - parameter(number), "f"), below, number)
                self.assertEqual(format(100 + parameter(number), "f"), above, number)

    def test_thresholds(self):
        self.assert_parameters(THRESHOLDS)

    @HYPOTHESIS
    @given(st.lists(LEVELS | st.integers(0, 10**9), min_size=1, max_size=5))
    def test_hypothesis(self, numbers):
        self.assert_parameters(numbers)


class QuoteLiteralTests(TestCase):
    def assert_quoted(self, texts: list[str]) -> None:
        expected = pg_column("quote_literal(x)", texts, "text")
        for text, quoted in zip(texts, expected, strict=True):
            self.assertEqual(quote_literal(text), quoted, text)

    def test_quotes_and_backslashes(self):
        self.assert_quoted(
            ["", "C", "1,5", "'", "''", "\\", "\\\\", "a'b", "a\\b", "it's \\ here", "ผลิต", "\n"]
        )

    @HYPOTHESIS
    @given(st.lists(TEXTS, min_size=1, max_size=20))
    def test_hypothesis(self, texts):
        self.assert_quoted(texts)


def _days() -> list[date]:
    rng = random.Random(7)
    days = [
        date(1, 1, 1),
        date(999, 12, 31),
        date(1990, 3, 1),
        date(2024, 2, 29),
        date(9999, 12, 1),
    ]
    days += [date(2024, month, 1) for month in range(1, 13)]
    days += [date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(200)]
    return days


class DateTests(TestCase):
    def test_period_label(self):
        days = _days()
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT to_char(d, 'YYYY-MM'), to_char(d, 'YYYY-"Q"Q')
                   FROM unnest(%s::date[]) WITH ORDINALITY AS t(d, i) ORDER BY i""",
                [days],
            )
            for day, (month, quarter) in zip(days, cursor.fetchall(), strict=True):
                self.assertEqual(period_label("M", day), month, day)
                self.assertEqual(period_label("", day), month, day)
                self.assertEqual(period_label("Q", day), quarter, day)

    def test_month_name(self):
        days = _days()
        expected = pg_column("to_char(x, 'FMMonth')", days, "date")
        for day, name in zip(days, expected, strict=True):
            self.assertEqual(month_name(day), name, day)
