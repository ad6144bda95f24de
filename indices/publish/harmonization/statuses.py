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

A national B marks a break the agency declared itself: it is kept as a break, on a value of
status A (member.py); an empty status is A.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

BREAK = "B"
MISSING = frozenset({"M", "L", "O"})
PRECEDENCE = ("B", "U", "E", "I", "P", "A")  # worst first
RANK = {"A": 0, "P": 1, "I": 2, "E": 3, "U": 4}  # any other status: 0
_BY_RANK = np.array(sorted(RANK, key=RANK.__getitem__), dtype=object)


def worst(statuses: Iterable[str]) -> str:
    result, rank = "A", 0
    for status in statuses:
        status_rank = RANK.get(status, 0)
        if status_rank > rank:
            result, rank = status, status_rank
    return result


def ranks(statuses: np.ndarray) -> np.ndarray:
    """Each status's RANK, as int8: the worst of several is their maximum (`named`)."""
    result = np.zeros(len(statuses), dtype=np.int8)
    for status, rank in RANK.items():
        if rank:
            result[statuses == status] = rank
    return result


def named(statuses_ranks: np.ndarray) -> np.ndarray:
    """The statuses of ranks: `worst` of several statuses is `named` of their maximum rank."""
    return _BY_RANK[statuses_ranks]
