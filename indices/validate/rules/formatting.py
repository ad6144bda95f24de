"""How numbers, dates and quoted values read in a finding's message.

The findings' wording is pinned by docs/uploading.md and by the offices' own checks against
earlier reports, which PostgreSQL formatted; these functions write exactly what its `round(x::
numeric, n)`, float8 output, `quote_literal` and `to_char` wrote, so a clerk sees no change.
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext


def quote_literal(text: str) -> str:
    """'text' with quotes doubled; E'...' with backslashes doubled when it has one."""
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted


def float_text(number: float) -> str:
    """A float as PostgreSQL prints a double: the shortest text that reads back the same,
    without a trailing ".0", in exponent form below 1e-4 or from 1e15."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "-0" if math.copysign(1, number) < 0 else "0"
    text = repr(number)
    if "e" not in text and abs(number) >= 1e15:
        # repr writes 1e15 <= |x| < 1e16 positionally: the same shortest digits, as an exponent
        return format(Decimal(text).normalize(), "e")
    return text.removesuffix(".0")


def rounded(number: float, places: int) -> str:
    """round(number::numeric, places): the double read to 15 significant digits, rounded half
    away from zero, written with exactly `places` decimals."""
    with localcontext() as context:
        context.prec = 400  # numeric's digits: a double reaches 1e308, then `places` decimals
        value = Decimal(format(number, ".15g")).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    if value == 0:
        value = abs(value)  # numeric has no negative zero
    return format(value, "f")


def parameter(number: float) -> Decimal:
    """A threshold as the messages print it: the SQL engine passed thresholds as literals
    (str(number)), which PostgreSQL read as numeric, so 5.0 printed "5.0" and 100 - 1.0 "99.0"
    (where a double prints "5" and "99")."""
    return Decimal(str(number))


def parameter_text(number: float) -> str:
    """A threshold written as `parameter` reads it: 5.0 -> 5.0, 1e-05 -> 0.00001, 5 -> 5."""
    return format(parameter(number), "f")


def signed(number: float, places: int = 1) -> str:
    """A change with its sign, e.g. +35.2 / -21.3 (no sign for a tiny negative rounded to 0)."""
    return ("+" if number >= 0 else "") + rounded(number, places)


def month_name(day: date) -> str:
    return calendar.month_name[day.month]
