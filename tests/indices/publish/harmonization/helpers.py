"""Generated national series for the harmonization tests (no database)."""

from __future__ import annotations

import math
from datetime import date

from indices.publish.harmonization import HarmonizedSeries, NationalObservation, NationalSeries

REF_YEAR = 2021
TOL = 1e-9


def months(start: str, end: str) -> list[date]:
    """Every first-of-month from start to end inclusive ('2016-01', '2023-12')."""
    y, m = map(int, start.split("-"))
    y1, m1 = map(int, end.split("-"))
    result = []
    while (y, m) <= (y1, m1):
        result.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return result


def quarters(start: str, end: str) -> list[date]:
    """'2019-Q1' to '2024-Q2' as first days of quarters."""
    y, q = int(start[:4]), int(start[-1])
    y1, q1 = int(end[:4]), int(end[-1])
    result = []
    while (y, q) <= (y1, q1):
        result.append(date(y, 3 * q - 2, 1))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return result


def wave(n: int, level: float = 100.0, trend: float = 0.2, amplitude: float = 6.0, seed: int = 0):
    """A positive, seasonal, trending series with no two equal neighbours."""
    return [
        level
        + trend * i
        + amplitude * math.sin(2 * math.pi * i / 12 + seed)
        + 0.7 * math.cos(i * 1.3 + seed)
        for i in range(n)
    ]


def observations(periods, values, base_year, status="A", statuses=None):
    statuses = statuses or {}
    return tuple(
        NationalObservation(p, v, statuses.get(p, status), base_year)
        for p, v in zip(periods, values, strict=True)
    )


def national(
    observations, *, activity="C", nat_code="", adjustment="N", freq="M", weight=None, ref_area="TH"
):
    return NationalSeries(
        freq, ref_area, activity, nat_code, adjustment, tuple(observations), weight
    )


def pick(series: list[HarmonizedSeries], key: str) -> HarmonizedSeries:
    found = [s for s in series if s.key == key]
    assert len(found) == 1, f"{key} not in {[s.key for s in series]}"
    return found[0]


def keys(series: list[HarmonizedSeries]) -> list[str]:
    return [s.key for s in series]


def values_of(series: HarmonizedSeries) -> dict[date, float]:
    return {p.period: p.value for p in series.points}


def statuses_of(series: HarmonizedSeries) -> dict[date, str]:
    return {p.period: p.status for p in series.points if p.status != "A"}
