"""The values harmonization reads and returns: plain, immutable, free of Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple


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
class NationalSeries:
    freq: str  # "M" or "Q"
    ref_area: str
    activity: str  # the ISIC code it maps to (directly, or via the concordance)
    nat_code: str  # "" when uploaded with an ISIC ACTIVITY code, else the national code
    adjustment: str  # N S W Y T
    # Several base years may cover the same period: the overlap is what links them (H3).
    observations: tuple[NationalObservation, ...]
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
