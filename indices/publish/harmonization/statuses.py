"""Observation statuses of derived values.

A harmonized value carries a national status (A, P, E, I, U) and, separately, whether a series
break lies at it. The break is shown as B, which outranks everything; otherwise a value derived
from several inputs (a quarter, a year, a growth rate, a combination of national codes, a group
aggregate) takes the worst of their statuses in the order

    B  >  U  >  E  >  I  >  P  >  A

U (low reliability) is the strongest warning about the value itself; E (estimated) and I
(imputed) both say the value was not fully observed, E first because the exchange itself
flags its imputations E; P (provisional) only says it will be revised. A status outside the
list ranks with A: the validation rules (E03) keep such codes out of the stored data.
"""

from __future__ import annotations

from collections.abc import Iterable

BREAK = "B"
MISSING = frozenset({"M", "L", "O"})
PRECEDENCE = ("B", "U", "E", "I", "P", "A")  # worst first
_RANK = {"A": 0, "P": 1, "I": 2, "E": 3, "U": 4}


def worst(statuses: Iterable[str]) -> str:
    result, rank = "A", 0
    for status in statuses:
        status_rank = _RANK.get(status, 0)
        if status_rank > rank:
            result, rank = status, status_rank
    return result


def worst_of_two(first: str, second: str) -> str:
    """worst((first, second)), without the loop: a growth rate per published value."""
    first_rank, second_rank = _RANK.get(first, 0), _RANK.get(second, 0)
    if first_rank == second_rank == 0:
        return "A"
    return first if first_rank >= second_rank else second


def split(status: str) -> tuple[str, bool]:
    """A national B marks a break the agency declared itself: kept as a break."""
    if status == BREAK:
        return "A", True
    return status or "A", False


def shown(status: str, brk: bool) -> str:
    return BREAK if brk else status
