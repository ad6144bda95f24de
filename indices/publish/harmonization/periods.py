"""Periods as consecutive integers, so that t-1, t-12 and "the months of a year" are arithmetic.

M: year * 12 + month - 1; Q: year * 4 + quarter - 1; A: the year. Dividing a monthly index by 3
gives its quarter's index, by 12 its year's, and a quarterly index by 4 its year's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

PER_YEAR = {"M": 12, "Q": 4, "A": 1}


def to_index(freq: str, period: date) -> int:
    if freq == "M":
        return period.year * 12 + period.month - 1
    if freq == "Q":
        return period.year * 4 + (period.month - 1) // 3
    return period.year


@cache  # a release converts the same few thousand periods for each of its series
def to_date(freq: str, index: int) -> date:
    per_year = PER_YEAR[freq]
    year, position = divmod(index, per_year)
    return date(year, position * (12 // per_year) + 1, 1)


def year_indexes(freq: str, year: int) -> range:
    per_year = PER_YEAR[freq]
    return range(year * per_year, (year + 1) * per_year)


def label(freq: str, index: int) -> str:
    """The TIME_PERIOD as published: 2021-03, 2021-Q1, 2021."""
    per_year = PER_YEAR[freq]
    year, position = divmod(index, per_year)
    if freq == "M":
        return f"{year}-{position + 1:02d}"
    if freq == "Q":
        return f"{year}-Q{position + 1}"
    return str(year)


def ranges_label(freq: str, indexes: Iterable[int]) -> str:
    """2021-01 to 2021-03, 2021-07: consecutive periods collapsed, for messages."""
    parts: list[str] = []
    run: list[int] = []
    for index in sorted(set(indexes)):
        if run and index != run[-1] + 1:
            parts.append(_run_label(freq, run))
            run = []
        run.append(index)
    if run:
        parts.append(_run_label(freq, run))
    return ", ".join(parts)


def _run_label(freq: str, run: list[int]) -> str:
    if len(run) == 1:
        return label(freq, run[0])
    return f"{label(freq, run[0])} to {label(freq, run[-1])}"
