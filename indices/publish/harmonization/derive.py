"""H4 growth rates and H5 lower frequencies, from re-referenced, unrounded levels."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from functools import cache, partial
from itertools import repeat

import numpy as np

from countries.standard import load_definition
from indices.publish.harmonization.levels import Levels
from indices.publish.harmonization.periods import PER_YEAR, to_date
from indices.publish.harmonization.types import HarmonizedSeries, Point


@cache
def publication_decimals() -> tuple[int, int]:
    publication = load_definition().thresholds["publication"]
    return int(publication["decimals_level"]), int(publication["decimals_growth"])


@cache
def coverage_decimals() -> int:
    return int(load_definition().thresholds["H6"]["coverage_decimals"])


def coverage_shown(coverage: float | None) -> float | None:
    """COVERAGE as published (STANDARD 1.1, section 2): percent with one decimal, rounded
    down, so that a period with a member missing never shows 100.0.

    The stored coverage is full precision; every output (REST, SDMX, pages) shows this. The
    value is first cut to 12 significant digits, so that a share summed to 79.99999999999999
    shows 80.0, not 79.9; a coverage below 100 (a member missing: aggregate.py keeps it
    strictly below 100) never shows 100.0, however small the missing weight."""
    if coverage is None:
        return None
    step = Decimal(1).scaleb(-coverage_decimals())
    shown = Decimal(format(coverage, ".12g")).quantize(step, ROUND_FLOOR)
    if coverage < 100.0:
        shown = min(shown, Decimal(100) - step)
    return float(shown)


def attributes_shown(attributes: Mapping[str, object]) -> dict[str, object]:
    """Series attributes as published: COVERAGE rounded by `coverage_shown` (harmonization
    stores it so already; this also covers a series stored before STANDARD 1.1)."""
    shown = dict(attributes)
    if isinstance(shown.get("COVERAGE"), int | float):
        shown["COVERAGE"] = coverage_shown(float(shown["COVERAGE"]))  # type: ignore[arg-type]
    return shown


def average(levels: Levels, size: int) -> Levels:
    """H5: the mean of `size` consecutive periods (3 months, 12 months, 4 quarters), only where
    every one of them is present. A quarter or year holding a break carries it, and the lowest
    coverage of its periods (STANDARD 1.1)."""
    buckets, first, count = np.unique(levels.index // size, return_index=True, return_counts=True)
    complete = count == size
    # Sorted, each period once: a complete bucket's periods are `size` consecutive positions.
    positions = first[complete][:, np.newaxis] + np.arange(size)
    values = levels.value[positions]
    sums = [math.fsum(periods) for periods in values.tolist()]
    return Levels.derived(
        index=buckets[complete],
        value=np.array(sums, dtype=np.float64) / size,
        rank=levels.rank[positions].max(axis=1),
        brk=levels.brk[positions].any(axis=1),
        coverage=None if levels.coverage is None else levels.coverage[positions].min(axis=1),
    )


def growth(levels: Levels, lag: int) -> Levels:
    """H4: 100 * (I(t) / I(t - lag) - 1), where both levels are present. The rate is B when a
    break lies in (t - lag, t], i.e. when the two levels stand on either side of a link."""
    index = levels.index
    earlier = np.searchsorted(index, index - lag)
    found = earlier < len(index)
    found[found] = index[earlier[found]] == index[found] - lag
    later, earlier = np.flatnonzero(found), earlier[found]
    if (levels.value[earlier] == 0).any():
        raise ZeroDivisionError("float division by zero")  # as the Python float division
    breaks = index[levels.brk]
    # Breaks at or before t, less those at or before t - lag.
    spanned = np.searchsorted(breaks, index[later], side="right") - np.searchsorted(
        breaks, index[earlier], side="right"
    )
    return Levels.derived(
        index=index[later],
        value=100.0 * (levels.value[later] / levels.value[earlier] - 1.0),
        rank=np.maximum(levels.rank[earlier], levels.rank[later]),
        brk=spanned > 0,
        coverage=None
        if levels.coverage is None
        else np.minimum(levels.coverage[earlier], levels.coverage[later]),
    )


def derive_all(
    *,
    freq: str,
    levels: Levels,
    ref_area: str,
    activity: str,
    adjustment: str,
    attributes: Mapping[str, object],
) -> list[HarmonizedSeries]:
    """Every frequency and transformation derivable from monthly (or quarterly) IX levels:
    M (monthly input only), Q and A, each as IX, PCH_PRE and PCH_SM. A series with no point
    (e.g. A when no year is complete) is left out.

    Where the levels carry a coverage (aggregates), each series carries the COVERAGE of its
    own latest observation, as published (`coverage_shown`): a quarterly series that of its
    latest quarter, not of the latest month (STANDARD 1.1)."""
    by_freq = {freq: levels}
    if freq == "M":
        by_freq["Q"] = average(levels, 3)
    by_freq["A"] = average(levels, PER_YEAR[freq])
    result: list[HarmonizedSeries] = []
    for out_freq, out_levels in by_freq.items():
        transformations = (
            ("IX", out_levels),
            ("PCH_PRE", growth(out_levels, 1)),
            # For A, the same period of the previous year is the previous period.
            ("PCH_SM", growth(out_levels, PER_YEAR[out_freq])),
        )
        for transformation, values in transformations:
            if not len(values):
                continue
            coverage = (
                {}
                if values.coverage is None
                else {"COVERAGE": coverage_shown(float(values.coverage[-1]))}
            )
            result.append(
                HarmonizedSeries(
                    freq=out_freq,
                    ref_area=ref_area,
                    activity=activity,
                    adjustment=adjustment,
                    transformation=transformation,
                    points=to_points(out_freq, values),
                    attributes=series_attributes(transformation, attributes) | coverage,
                )
            )
    return result


def series_attributes(transformation: str, attributes: Mapping[str, object]) -> dict:
    """A derived series' attributes (before COVERAGE): its unit and decimals, then the
    attributes of the series it derives from."""
    decimals_level, decimals_growth = publication_decimals()
    is_level = transformation == "IX"
    return {
        "UNIT_MEASURE": "IX" if is_level else "PC",
        "UNIT_MULT": 0,
        "DECIMALS": decimals_level if is_level else decimals_growth,
        **attributes,
    }


# A Point made from the tuple of its fields by tuple's own constructor, in C, where `Point(...)`
# runs the named tuple's __new__ in Python: a 500-month series' points take 124 us so, 186 us
# that way, and a first load derives some 750,000 points.
_point_of_fields = partial(tuple.__new__, Point)


def to_points(freq: str, levels: Levels) -> tuple[Point, ...]:
    count = len(levels)
    fields = zip(
        map(to_date, repeat(freq, count), levels.index.tolist()),
        levels.value.tolist(),
        levels.shown_statuses().tolist(),
        repeat(None, count) if levels.coverage is None else levels.coverage.tolist(),
        repeat("", count) if levels.comment is None else levels.comment.tolist(),
        strict=True,
    )
    return tuple(map(_point_of_fields, fields))
