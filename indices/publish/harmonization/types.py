"""The values harmonization reads and returns: plain, immutable, free of Django."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from indices.publish.harmonization.periods import to_index
from indices.publish.harmonization.statuses import ranks


# Named tuples: a release of a million observations holds millions of these; a __dict__ apiece
# would double the worker's memory, and a frozen dataclass's __init__ costs three times a
# tuple's.
class NationalObservation(NamedTuple):
    """One stored national value."""

    period: date  # first day of the month (FREQ M) or of the quarter (FREQ Q)
    value: float | None  # None for a missing status (M, L, O)
    status: str  # CL_OBS_STATUS code
    base_year: int  # the national base year it is expressed in (BASE_PER)
    comment: str = ""  # the agency's COMMENT on it


@dataclass(frozen=True)
class ObservationColumns:
    """A series' stored values with a value (a missing status is a gap: H3 never reads it), as
    columns, in the order they were stored: how the store's million values reach H3 without a
    tuple apiece."""

    index: np.ndarray  # int64: the period's index (periods.py) at the series' frequency
    value: np.ndarray  # float64
    status: np.ndarray  # object: the CL_OBS_STATUS code, "" where none
    rank: np.ndarray  # int8: the status's rank (statuses.ranks)
    base_year: np.ndarray  # int64
    comment: np.ndarray  # object: "" where none

    @classmethod
    def from_rows(cls, freq: str, rows: Iterable[NationalObservation]) -> ObservationColumns:
        valued = [row for row in rows if row.value is not None]
        status = object_array([row.status or "" for row in valued])
        return cls(
            index=np.array([to_index(freq, row.period) for row in valued], dtype=np.int64),
            value=np.array([row.value for row in valued], dtype=np.float64),
            status=status,
            rank=ranks(status),
            base_year=np.array([row.base_year for row in valued], dtype=np.int64),
            comment=object_array([row.comment or "" for row in valued]),
        )

    @classmethod
    def concatenated(cls, parts: Sequence[ObservationColumns]) -> ObservationColumns:
        if len(parts) == 1:
            return parts[0]
        return cls(
            *(
                np.concatenate([getattr(part, name) for part in parts])
                for name in ("index", "value", "status", "rank", "base_year", "comment")
            )
        )

    def __len__(self) -> int:
        return len(self.index)


@dataclass(frozen=True)
class NationalSeries:
    freq: str  # "M" or "Q"
    ref_area: str
    activity: str  # the ISIC code it maps to (directly, or via the concordance)
    nat_code: str  # "" when uploaded with an ISIC ACTIVITY code, else the national code
    adjustment: str  # N S W Y T
    # Several base years may cover the same period: the overlap is what links them (H3). As
    # rows (a series built by hand) or as columns (the store's, windowed.national_series).
    observations: tuple[NationalObservation, ...] | ObservationColumns
    weight: float | None = None  # concordance weight (H1), when nat_code is set


class Point(NamedTuple):
    period: date  # first day of the month, quarter or year
    value: float  # full precision: rounding happens on output only
    status: str  # B at a link, E imputed (aggregates), else derived from the national statuses
    coverage: float | None = None  # aggregates only: percent of the group's weight reported
    # The agency's COMMENT on the national value this point is: only on the level series of
    # the frequency the agency sent; derived values (H1 over several codes, H4-H6) have none.
    comment: str = ""


@dataclass(frozen=True)
class HarmonizedSeries:
    freq: str  # M, Q or A
    ref_area: str  # a member, or a group (MKG, MKG_JP)
    activity: str
    adjustment: str
    transformation: str  # IX, PCH_PRE or PCH_SM
    points: tuple[Point, ...]
    attributes: dict = field(default_factory=dict)  # series attributes of STANDARD section 2

    @property
    def key(self) -> str:
        return ".".join(
            (self.freq, self.ref_area, self.activity, self.adjustment, self.transformation)
        )


@dataclass(frozen=True)
class Unpublishable:
    ref_area: str
    activity: str
    adjustment: str
    freq: str
    reason: str  # for the agency: why it cannot be published, and what to do


def object_array(values: list) -> np.ndarray:
    """A 1-D object array of `values` (np.array would make strings a fixed-width str array)."""
    result = np.empty(len(values), dtype=object)
    result[:] = values
    return result
