"""A harmonized series before it becomes Points, as columns: H1-H5 work on whole arrays, not
on one Python object per value (a release of a million values would make millions of them).

Only elementwise products and quotients run in numpy, in the same order of operations as the
formulas of docs/methodology.md: IEEE arithmetic gives each element the bits the same
expression gives a Python float. Sums stay `math.fsum` (exactly rounded), one call per sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from indices.publish.harmonization.statuses import BREAK, named, ranks
from indices.publish.harmonization.types import object_array


class Level(NamedTuple):
    """One harmonized value: how aggregates and adjustments build theirs (then
    `Levels.from_mapping`), and what `Levels[index]` returns."""

    value: float
    status: str
    brk: bool = False
    coverage: float | None = None
    comment: str = ""  # the national value's COMMENT; a value derived from several has none


@dataclass(frozen=True)
class Levels:
    """Levels by period index (periods.py), sorted, each period once. The break is kept apart
    from the status so that a growth rate or a quarter can tell whether it spans the break
    (statuses.py)."""

    index: np.ndarray  # int64
    value: np.ndarray  # float64
    status: np.ndarray  # object: str, never B (that is `brk`)
    rank: np.ndarray  # int8: the status's rank, for the worst of several (statuses.py)
    brk: np.ndarray  # bool
    coverage: np.ndarray | None = None  # float64: aggregates only
    comment: np.ndarray | None = None  # object: str; None where no value has one

    @classmethod
    def derived(
        cls,
        index: np.ndarray,
        value: np.ndarray,
        rank: np.ndarray,
        brk: np.ndarray,
        coverage: np.ndarray | None = None,
    ) -> Levels:
        """Levels derived from several others (H1, H4, H5): the worst status's rank, no
        COMMENT."""
        return cls(index, value, named(rank), rank, brk, coverage)

    @classmethod
    def from_mapping(cls, levels: Mapping[int, Level]) -> Levels:
        """From {period index: Level}: the coverage and comment columns exist where some level
        has one (an aggregate's levels all carry a coverage)."""
        items = sorted(levels.items())
        coverages = [level.coverage for _, level in items]
        if any(coverage is not None for coverage in coverages) and None in coverages:
            raise ValueError("either every level carries a coverage or none does")
        comments = [level.comment for _, level in items]
        status = object_array([level.status for _, level in items])
        return cls(
            index=np.array([index for index, _ in items], dtype=np.int64),
            value=np.array([level.value for _, level in items], dtype=np.float64),
            status=status,
            rank=ranks(status),
            brk=np.array([level.brk for _, level in items], dtype=bool),
            coverage=np.array(coverages, dtype=np.float64)
            if items and coverages[0] is not None
            else None,
            comment=object_array(comments) if any(comments) else None,
        )

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self._position(index) is not None

    def __getitem__(self, index: int) -> Level:
        position = self._position(index)
        if position is None:
            raise KeyError(index)
        return Level(
            float(self.value[position]),
            self.status[position],
            bool(self.brk[position]),
            None if self.coverage is None else float(self.coverage[position]),
            "" if self.comment is None else self.comment[position],
        )

    def _position(self, index: int) -> int | None:
        position = int(np.searchsorted(self.index, index))
        if position < len(self.index) and self.index[position] == index:
            return position
        return None

    def take(self, positions: np.ndarray | slice) -> Levels:
        """The levels at `positions` (integer positions, a boolean mask or a slice)."""
        return Levels(
            index=self.index[positions],
            value=self.value[positions],
            status=self.status[positions],
            rank=self.rank[positions],
            brk=self.brk[positions],
            coverage=None if self.coverage is None else self.coverage[positions],
            comment=None if self.comment is None else self.comment[positions],
        )

    def shown_statuses(self) -> np.ndarray:
        """OBS_STATUS as published: B at a break, else the status."""
        if not self.brk.any():
            return self.status
        return np.where(self.brk, BREAK, self.status)


def concatenated(parts: list[Levels]) -> Levels:
    """Levels of consecutive stretches, the earliest first: H3's linked history (which has
    no coverage)."""
    if len(parts) == 1:
        return parts[0]
    comments = [part.comment for part in parts]
    return Levels(
        index=np.concatenate([part.index for part in parts]),
        value=np.concatenate([part.value for part in parts]),
        status=np.concatenate([part.status for part in parts]),
        rank=np.concatenate([part.rank for part in parts]),
        brk=np.concatenate([part.brk for part in parts]),
        comment=None
        if all(comment is None for comment in comments)
        else np.concatenate(
            [
                object_array([""] * len(part)) if c is None else c
                for part, c in zip(parts, comments, strict=True)
            ]
        ),
    )
