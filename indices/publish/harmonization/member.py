"""One member's harmonized series: H3 link base changes, H2 re-reference, H1 combine national
codes, then H4 and H5 (derive.py)."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import pairwise

import numpy as np

from indices.publish.harmonization.derive import derive_all
from indices.publish.harmonization.levels import Levels, concatenated
from indices.publish.harmonization.periods import (
    PER_YEAR,
    label,
    ranges_label,
    year_indexes,
)
from indices.publish.harmonization.statuses import BREAK
from indices.publish.harmonization.types import (
    HarmonizedSeries,
    NationalObservation,
    NationalSeries,
    ObservationColumns,
    Unpublishable,
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
    levels: Levels  # on the newest base's scale
    newest_base: int
    links: list[Link] = field(default_factory=list)
    problem: str = ""  # why older history could not be linked, if it could not


def link_base_changes(
    freq: str, observations: Iterable[NationalObservation] | ObservationColumns
) -> Linked | None:
    """H3. For each period, the newest base year wins from its first value on; an older base
    only supplies the history before that, multiplied by the chained ratios of the bases' means
    over their overlap (the most recent complete calendar year both cover, else every period
    both cover). The first value taken from the newer base after older-base history is flagged
    as a break. None when the series holds no value at all."""
    if not isinstance(observations, ObservationColumns):
        observations = ObservationColumns.from_rows(freq, observations)
    if not len(observations):
        return None
    by_base = _by_base(observations)
    bases = sorted(by_base, reverse=True)
    newest = by_base[bases[0]]
    linked = Linked(newest, bases[0])
    stretches = [newest]  # the latest first: each base's history before the newer's start
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
        values = by_base[older]
        history = values.take(values.index < stretches[-1].index[0])
        if not len(history):
            continue
        # The first value after the linked history (the arrays are this function's own).
        stretches[-1].brk[0] = True
        stretches.append(replace(history, value=history.value * factor))
    linked.levels = concatenated(stretches[::-1])
    return linked


def _by_base(observations: ObservationColumns) -> dict[int, Levels]:
    """Each base year's values as levels of their own (statuses split from the agency's B):
    where a period of a base comes more than once (several parts of a series), the last
    value, and the last COMMENT given, as if stored one after the other."""
    order = np.lexsort((observations.index, observations.base_year))  # stable
    base_year, index = observations.base_year[order], observations.index[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (base_year[1:] != base_year[:-1]) | (index[1:] != index[:-1])
    kept = order[last]
    comment = observations.comment[kept]
    if not last.all():  # rare: a period of a base given twice keeps the last COMMENT given
        given: dict[tuple[int, int], str] = {}
        for base, period, text in zip(
            observations.base_year.tolist(),
            observations.index.tolist(),
            observations.comment.tolist(),
            strict=True,
        ):
            if text:
                given[base, period] = text
        comment[:] = [
            given.get(key, "")
            for key in zip(base_year[last].tolist(), index[last].tolist(), strict=True)
        ]
    status = observations.status[kept]
    brk = status == BREAK
    status[brk | (status == "")] = "A"  # a declared break is a break on an A (statuses.py)
    index, value, base_year = index[last], observations.value[kept], base_year[last]
    rank = observations.rank[kept]  # B and "" rank 0, as the A they are now
    has_comment = comment != ""
    bounds = np.flatnonzero(base_year[1:] != base_year[:-1]) + 1
    result: dict[int, Levels] = {}
    for start, stop in pairwise([0, *bounds.tolist(), len(kept)]):
        result[int(base_year[start])] = Levels(
            index=index[start:stop],
            value=value[start:stop],
            status=status[start:stop],
            rank=rank[start:stop],
            brk=brk[start:stop],
            comment=comment[start:stop] if has_comment[start:stop].any() else None,
        )
    return result


def _overlap_ratio(freq: str, newer: Levels, older: Levels) -> tuple[float, str] | None:
    common, in_newer, in_older = np.intersect1d(
        newer.index, older.index, assume_unique=True, return_indices=True
    )
    if not len(common):
        return None
    per_year = PER_YEAR[freq]
    years, counts = np.unique(common // per_year, return_counts=True)
    complete = years[counts == per_year]
    if len(complete):
        year = int(complete.max())
        overlap = str(year)
        in_year = common // per_year == year
        in_newer, in_older = in_newer[in_year], in_older[in_year]
    else:
        overlap = ranges_label(freq, common.tolist())
    old_sum = math.fsum(older.value[in_older].tolist())
    if old_sum == 0:
        return None
    return math.fsum(newer.value[in_newer].tolist()) / old_sum, overlap


def _span(freq: str, levels: Levels) -> str:
    return f"{label(freq, int(levels.index[0]))} to {label(freq, int(levels.index[-1]))}"


def rereference(freq: str, levels: Levels, ref_year: int) -> Levels | None:
    """H2: 100 * I(t) / mean of I over REF_YEAR; None unless every period of REF_YEAR has a
    value."""
    periods = year_indexes(freq, ref_year)
    first = int(np.searchsorted(levels.index, periods[0]))
    year = slice(first, first + len(periods))
    # Sorted, each period once: the year is complete when its last period comes len - 1
    # places after its first.
    if year.stop > len(levels) or levels.index[year.stop - 1] != periods[-1]:
        return None
    return rescaled(levels, math.fsum(levels.value[year].tolist()) / len(periods))


def rescaled(levels: Levels, ref_mean: float) -> Levels:
    """H2 with the reference year's mean known: 100 * I(t) / ref_mean."""
    scale = 100.0 / ref_mean
    return replace(levels, value=levels.value * scale)


def combine(components: Sequence[tuple[Levels, float]]) -> Levels:
    """H1: the weighted arithmetic mean of re-referenced indices, in the periods where every
    national code has a value (a mean over fewer codes would change the composition). A mean
    of several codes is no one national value, so it carries no COMMENT."""
    if len(components) == 1:
        return components[0][0]
    total = math.fsum(weight for _, weight in components)
    common = functools.reduce(
        partial(np.intersect1d, assume_unique=True), (levels.index for levels, _ in components)
    )
    at = [np.searchsorted(levels.index, common) for levels, _ in components]
    weighted = np.array(
        [levels.value[i] * weight for (levels, weight), i in zip(components, at, strict=True)]
    )
    sums = np.array([math.fsum(period) for period in weighted.T.tolist()], dtype=np.float64)
    return Levels.derived(
        index=common,
        value=sums / total,
        rank=np.max(
            [levels.rank[i] for (levels, _), i in zip(components, at, strict=True)], axis=0
        ),
        brk=np.logical_or.reduce(
            [levels.brk[i] for (levels, _), i in zip(components, at, strict=True)]
        ),
    )


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
    columns = {nat_code: _columns(freq, parts) for nat_code, parts in sorted(components.items())}
    aligned = _aligned_combination(freq, components, columns, ref_year)
    combined = aligned or _combination_by_code(key, components, columns, ref_year)
    if isinstance(combined, Unpublishable):
        return combined
    levels, newest_base = combined
    return derive_all(
        freq=freq,
        levels=levels,
        ref_area=ref_area,
        activity=activity,
        adjustment=adjustment,
        attributes={"REF_YEAR": ref_year, "NAT_BASE_PER": newest_base},
    )


def _columns(freq: str, parts: list[NationalSeries]) -> ObservationColumns:
    """A national code's parts (e.g. one per base year) as one set of columns."""
    return ObservationColumns.concatenated(
        [
            part.observations
            if isinstance(part.observations, ObservationColumns)
            else ObservationColumns.from_rows(freq, part.observations)
            for part in parts
        ]
    )


def _weight(parts: list[NationalSeries]) -> float | None:
    """A national code's H1 weight: the last one its parts give."""
    weights = [part.weight for part in parts if part.weight is not None]
    return weights[-1] if weights else None


def _combination_by_code(
    key: tuple[str, str, str, str],
    components: dict[str, list[NationalSeries]],
    columns: dict[str, ObservationColumns],
    ref_year: int,
) -> tuple[Levels, int] | Unpublishable:
    """H3, H2 and H1 code by code, and the combination's levels and newest base year, or why the
    series cannot be published."""
    ref_area, activity, adjustment, freq = key
    problems: list[str] = []
    referenced: list[tuple[Levels, float]] = []
    newest_base = 0
    for nat_code, observations in columns.items():
        name = f"national code {nat_code}" if nat_code else f"ISIC {activity}"
        linked = link_base_changes(freq, observations)
        if linked is None:
            problems.append(f"{name} has no value, only missing statuses; send its index levels")
            continue
        levels = rereference(freq, linked.levels, ref_year)
        if levels is None:
            problems.append(_no_ref_year(freq, name, linked, ref_year))
            continue
        weight = _weight(components[nat_code])
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
            f"Series {freq}.{ref_area}.{activity}.{adjustment} cannot be published: "
            + "; ".join(problems)
            + ".",
        )
    return combine(referenced), newest_base


def _aligned_combination(
    freq: str,
    components: dict[str, list[NationalSeries]],
    columns: dict[str, ObservationColumns],
    ref_year: int,
) -> tuple[Levels, int] | None:
    """H3, H2 and H1 for all the codes at once, in the common case: several national codes with
    a positive weight that give the same periods, each period once, each code on one base year,
    every period of the reference year among them. Then H3 links nothing, and the codes stack
    into one matrix: a few numpy calls per pair, where the code-by-code path makes some twenty
    per code (a monthly update of 5,000 national codes spent 0.3 s in them).

    The same operations in the same order as `_combination_by_code` (each code's levels times
    its scale, then times its weight, elementwise; one `fsum` per reference-year mean and per
    period's sum), so the same bits. None outside that case: the code-by-code path then
    harmonizes the pair, or says why it cannot be published."""
    if len(columns) < 2:
        return None
    given = [_weight(components[nat_code]) for nat_code in columns]
    weights = [weight for weight in given if weight is not None and weight > 0]
    if len(weights) < len(given):
        return None
    stacked = list(columns.values())
    length = len(stacked[0])
    if not length or any(len(observations) != length for observations in stacked):
        return None
    index = np.vstack([observations.index for observations in stacked])
    base_year = np.vstack([observations.base_year for observations in stacked])
    periods = index[0]
    if not (
        (index == periods).all()
        and (base_year == base_year[:, :1]).all()
        and (np.diff(periods) > 0).all()
    ):
        return None
    reference = year_indexes(freq, ref_year)
    first = int(np.searchsorted(periods, reference[0]))
    year = slice(first, first + len(reference))
    if year.stop > length or periods[year.stop - 1] != reference[-1]:
        return None  # (sorted, each period once: as `rereference` tells a complete year)
    value = np.vstack([observations.value for observations in stacked])
    scale = np.array([100.0 / (math.fsum(row) / len(reference)) for row in value[:, year].tolist()])
    weighted = value * scale[:, np.newaxis] * np.array(weights, dtype=np.float64)[:, np.newaxis]
    sums = np.array([math.fsum(period) for period in weighted.T.tolist()], dtype=np.float64)
    status = np.vstack([observations.status for observations in stacked])
    levels = Levels.derived(
        index=periods,
        value=sums / math.fsum(weights),
        rank=np.vstack([observations.rank for observations in stacked]).max(axis=0),
        brk=(status == BREAK).any(axis=0),  # a declared break (`_by_base`)
    )
    return levels, int(base_year[:, 0].max())


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
