"""The per-value harmonization (H1-H5) as it was before it ran over columns: kept here, and
only here, as the oracle the columnar one is compared with bit for bit (test_columnar.py).

Copied unchanged from indices/publish/harmonization (member.py, derive.py, statuses.py) at
commit f56fdcb, but for its imports; not product code, not to be changed but to follow a
deliberate change of the method (which the columnar code would make too).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from indices.publish.harmonization.derive import coverage_shown, series_attributes
from indices.publish.harmonization.periods import (
    PER_YEAR,
    label,
    ranges_label,
    to_date,
    to_index,
    year_indexes,
)
from indices.publish.harmonization.types import (
    HarmonizedSeries,
    NationalObservation,
    NationalSeries,
    Point,
    Unpublishable,
)

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


class Level(NamedTuple):
    """One harmonized value before it becomes a Point: the break is kept apart from the status
    so that a growth rate or a quarter can tell whether it spans the break (statuses.py)."""

    value: float
    status: str
    brk: bool = False
    coverage: float | None = None
    comment: str = ""  # the national value's COMMENT; a value derived from several has none


Levels = Mapping[int, Level]


def average(levels: Levels, size: int) -> dict[int, Level]:
    """H5: the mean of `size` consecutive periods (3 months, 12 months, 4 quarters), only where
    every one of them is present. A quarter or year holding a break carries it, and the lowest
    coverage of its periods (STANDARD 1.1)."""
    buckets: dict[int, list[Level]] = {}
    for index, level in levels.items():
        buckets.setdefault(index // size, []).append(level)
    result: dict[int, Level] = {}
    for index in sorted(buckets):
        members = buckets[index]
        if len(members) != size:
            continue
        coverages = [m.coverage for m in members]
        result[index] = Level(
            math.fsum(m.value for m in members) / size,
            worst(m.status for m in members),
            any(m.brk for m in members),
            None if None in coverages else min(coverages),  # type: ignore[type-var]
        )
    return result


def growth(levels: Levels, lag: int) -> dict[int, Level]:
    """H4: 100 * (I(t) / I(t - lag) - 1), where both levels are present. The rate is B when a
    break lies in (t - lag, t], i.e. when the two levels stand on either side of a link."""
    breaks = sorted(index for index, level in levels.items() if level.brk)
    result: dict[int, Level] = {}
    for index in sorted(levels):
        earlier = levels.get(index - lag)
        if earlier is None:
            continue
        level = levels[index]
        if breaks:
            position = bisect_right(breaks, index - lag)
            brk = position < len(breaks) and breaks[position] <= index
        else:
            brk = False
        coverages = (earlier.coverage, level.coverage)
        result[index] = Level(
            100.0 * (level.value / earlier.value - 1.0),
            worst_of_two(earlier.status, level.status),
            brk,
            None if None in coverages else min(coverages),  # type: ignore[type-var]
        )
    return result


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
    by_freq: dict[str, Levels] = {freq: levels}
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
            if not values:
                continue
            latest = values[max(values)].coverage
            coverage = {} if latest is None else {"COVERAGE": coverage_shown(latest)}
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


def to_points(freq: str, levels: Levels) -> tuple[Point, ...]:
    return tuple(
        Point(to_date(freq, index), value, shown(status, brk), coverage, comment)
        for index, (value, status, brk, coverage, comment) in sorted(levels.items())
    )


@dataclass(frozen=True)
class Link:
    """One base change as linked: older-base values were multiplied by `ratio`, the mean of the
    newer base over `overlap` divided by the older base's mean over the same periods."""

    older: int
    newer: int
    ratio: float
    overlap: str  # "2023" (a complete calendar year) or "2021-01 to 2021-06" (overlapping periods)


@dataclass
class Linked:
    levels: dict[int, Level]  # on the newest base's scale
    newest_base: int
    links: list[Link] = field(default_factory=list)
    problem: str = ""  # why older history could not be linked, if it could not


def link_base_changes(freq: str, observations: Iterable[NationalObservation]) -> Linked | None:
    """H3. For each period, the newest base year wins from its first value on; an older base
    only supplies the history before that, multiplied by the chained ratios of the bases' means
    over their overlap (the most recent complete calendar year both cover, else every period
    both cover). The first value taken from the newer base after older-base history is flagged
    as a break. None when the series holds no value at all."""
    by_base: dict[int, dict[int, tuple[float, str]]] = {}
    comments: dict[tuple[int, int], str] = {}  # (base year, period): the value's COMMENT
    monthly = freq == "M"
    # Once per stored value (a million per release): unpacked, the period's index inline.
    for period, value, status, base_year, comment in observations:
        if value is not None:
            index = period.year * 12 + period.month - 1 if monthly else to_index(freq, period)
            by_base.setdefault(base_year, {})[index] = (value, status)
            if comment:
                comments[base_year, index] = comment
    if not by_base:
        return None
    bases = sorted(by_base, reverse=True)
    newest = by_base[bases[0]]
    levels = {
        index: Level(value, *split(status), comment=comments.get((bases[0], index), ""))
        if comments or status == BREAK
        else Level(value, status or "A")  # split(status), no comment: the common case
        for index, (value, status) in newest.items()
    }
    linked = Linked(levels, bases[0])
    start = min(levels)
    factor = 1.0
    for newer, older in pairwise(bases):
        found = _overlap_ratio(freq, by_base[newer], by_base[older])
        if found is None:
            linked.problem = (
                f"its base {older} (values {_span(freq, by_base[older])}) and base {newer} "
                f"(values {_span(freq, by_base[newer])}) share no period with values in both, "
                "so the older base cannot be linked (H3)"
            )
            break
        ratio, overlap = found
        linked.links.append(Link(older, newer, ratio, overlap))
        factor *= ratio
        history = [index for index in by_base[older] if index < start]
        if not history:
            continue
        first_new = levels[start]
        levels[start] = first_new._replace(brk=True)
        for index in history:
            value, status = by_base[older][index]
            comment = comments.get((older, index), "")
            levels[index] = Level(value * factor, *split(status), comment=comment)
        start = min(history)
    return linked


def _overlap_ratio(
    freq: str, newer: dict[int, tuple[float, str]], older: dict[int, tuple[float, str]]
) -> tuple[float, str] | None:
    common = newer.keys() & older.keys()
    if not common:
        return None
    per_year = PER_YEAR[freq]
    counts: dict[int, int] = {}
    for index in common:
        counts[index // per_year] = counts.get(index // per_year, 0) + 1
    complete = [year for year, count in counts.items() if count == per_year]
    if complete:
        year = max(complete)
        periods: Iterable[int] = year_indexes(freq, year)
        overlap = str(year)
    else:
        periods = sorted(common)
        overlap = ranges_label(freq, periods)
    old_sum = math.fsum(older[i][0] for i in periods)
    if old_sum == 0:
        return None
    return math.fsum(newer[i][0] for i in periods) / old_sum, overlap


def _span(freq: str, values: dict) -> str:
    return f"{label(freq, min(values))} to {label(freq, max(values))}"


def rereference(freq: str, levels: dict[int, Level], ref_year: int) -> dict[int, Level] | None:
    """H2: 100 * I(t) / mean of I over REF_YEAR; None unless every period of REF_YEAR has a
    value."""
    periods = year_indexes(freq, ref_year)
    if any(index not in levels for index in periods):
        return None
    mean = math.fsum(levels[index].value for index in periods) / len(periods)
    scale = 100.0 / mean
    # Level(...) rather than _replace: a million levels per release, three times cheaper.
    return {
        index: Level(value * scale, status, brk, coverage, comment)
        for index, (value, status, brk, coverage, comment) in levels.items()
    }


def combine(components: Sequence[tuple[dict[int, Level], float]]) -> dict[int, Level]:
    """H1: the weighted arithmetic mean of re-referenced indices, in the periods where every
    national code has a value (a mean over fewer codes would change the composition). A mean
    of several codes is no one national value, so it carries no COMMENT."""
    if len(components) == 1:
        return dict(components[0][0])
    total = math.fsum(weight for _, weight in components)
    common = set.intersection(*(set(levels) for levels, _ in components))
    result: dict[int, Level] = {}
    for index in sorted(common):
        parts = [levels[index] for levels, _ in components]
        result[index] = Level(
            math.fsum(p.value * w for p, (_, w) in zip(parts, components, strict=True)) / total,
            worst(part.status for part in parts),
            any(part.brk for part in parts),
        )
    return result


def harmonize_member(
    *, series: Sequence[NationalSeries], ref_year: int
) -> tuple[list[HarmonizedSeries], list[Unpublishable]]:
    """Every harmonized series of one member (see the module docstring and docs/methodology.md).
    Series of the same key and national code are merged (e.g. one object per base year)."""
    groups: dict[tuple[str, str, str, str], dict[str, list[NationalSeries]]] = {}
    for item in series:
        key = (item.ref_area, item.activity, item.adjustment, item.freq)
        groups.setdefault(key, {}).setdefault(item.nat_code, []).append(item)
    harmonized: list[HarmonizedSeries] = []
    unpublishable: list[Unpublishable] = []
    for key in sorted(groups):
        ref_area, activity, adjustment, freq = key
        if freq == "Q" and (ref_area, activity, adjustment, "M") in groups:
            continue  # Q and A derive from the monthly series, which holds more
        components = groups[key]
        if "" in components:
            # Given directly as the ISIC code: the agency's own aggregate wins over our
            # weighted mean of its national codes (E07 rejects both in one submission).
            components = {"": components[""]}
        result = _harmonize_group(key, components, ref_year)
        if isinstance(result, Unpublishable):
            unpublishable.append(result)
        else:
            harmonized.extend(result)
    return harmonized, unpublishable


def _harmonize_group(
    key: tuple[str, str, str, str], components: dict[str, list[NationalSeries]], ref_year: int
) -> list[HarmonizedSeries] | Unpublishable:
    ref_area, activity, adjustment, freq = key
    series_key = f"{freq}.{ref_area}.{activity}.{adjustment}"
    problems: list[str] = []
    referenced: list[tuple[dict[int, Level], float]] = []
    newest_base = 0
    for nat_code in sorted(components):
        parts = components[nat_code]
        name = f"national code {nat_code}" if nat_code else f"ISIC {activity}"
        linked = link_base_changes(freq, (obs for part in parts for obs in part.observations))
        if linked is None:
            problems.append(f"{name} has no value, only missing statuses; send its index levels")
            continue
        levels = rereference(freq, linked.levels, ref_year)
        if levels is None:
            problems.append(_no_ref_year(freq, name, linked, ref_year))
            continue
        weights = [part.weight for part in parts if part.weight is not None]
        weight = weights[-1] if weights else None
        if len(components) > 1 and (weight is None or weight <= 0):
            problems.append(
                f"{name} is combined with the other national codes of ISIC {activity} (H1) but "
                "the concordance gives it no positive weight; the secretariat must add its "
                "base-year value-added weight to the concordance"
            )
            continue
        referenced.append((levels, weight or 1.0))
        newest_base = max(newest_base, linked.newest_base)
    if problems:
        return Unpublishable(
            ref_area,
            activity,
            adjustment,
            freq,
            f"Series {series_key} cannot be published: " + "; ".join(problems) + ".",
        )
    return derive_all(
        freq=freq,
        levels=combine(referenced),
        ref_area=ref_area,
        activity=activity,
        adjustment=adjustment,
        attributes={"REF_YEAR": ref_year, "NAT_BASE_PER": newest_base},
    )


def _no_ref_year(freq: str, name: str, linked: Linked, ref_year: int) -> str:
    missing = [i for i in year_indexes(freq, ref_year) if i not in linked.levels]
    unit = "months" if freq == "M" else "quarters"
    text = (
        f"{name} (values {_span(freq, linked.levels)}) has no value for "
        f"{ranges_label(freq, missing)}, so it cannot be re-referenced to the reference year "
        f"{ref_year} = 100 (H2)"
    )
    if linked.problem:
        text += f", and {linked.problem}"
    return (
        text + f"; send the missing {unit} of {ref_year} on any base year, or an older or newer "
        "base year that overlaps this one by at least one period (a full calendar year is best) "
        "so that the two can be linked"
    )
