"""H6's chain as it was before a year that every member reports was computed without the month
by month imputation's bookkeeping: kept here, and only here, as the oracle aggregate.py's chain
is compared with bit for bit (test_aggregate_oracle.py).

The parts that changed, copied from indices/publish/harmonization/aggregate.py at commit
47f6ec1: the chain year by year over a dict of levels (`_chain`, `_start`) and each member's
mean without its fast path (`_member_means`). What did not change (the shares, a month's level
and its imputation, the coverage, the whole years) is aggregate.py's own, pinned by
test_aggregate.py. Not product code, not to be changed but to follow a deliberate change of the
method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from indices.publish.harmonization.aggregate import (  # unchanged since 47f6ec1
    _coverage,
    _month,
    _Shares,
    _whole_years,
)
from indices.publish.harmonization.levels import Level
from indices.publish.harmonization.periods import year_indexes
from indices.publish.harmonization.statuses import worst

COVERAGE_TOLERANCE = 1e-9


@dataclass
class _Chain:
    segments: list[dict[int, Level]] = field(default_factory=list)
    imputed: dict[str, dict[int, float]] = field(default_factory=dict)  # imputed member levels


def _chain(
    values: dict[str, dict[int, tuple[float, str]]], shares: _Shares, min_coverage_pct: float
) -> list[dict[int, Level]]:
    """The group's index in chain units (mean_G(y0) = 100), one dict per unbroken stretch."""
    indexes = [index for member in values.values() for index in member]
    if not indexes:
        return []
    first_year, last_index = min(indexes) // 12, max(indexes)
    whole_years = {country: _whole_years(levels) for country, levels in values.items()}
    state = _Chain()
    mean_g: float | None = None  # mean_G(y - 1) while a chain runs
    means: dict[str, float] = {}  # mean_i(y - 1)
    year = first_year
    while year * 12 <= last_index:
        if mean_g is None:
            started = _start(values, whole_years, shares(year), year, min_coverage_pct)
            if started is not None:
                segment, means = started
                state.segments.append(segment)
                state.imputed = {}
                mean_g = math.fsum(segment[i].value for i in year_indexes("M", year)) / 12
            year += 1
            continue
        segment = state.segments[-1]
        weights = shares(year - 1)
        complete = True
        for index in year_indexes("M", year):
            level = (
                _month(index, values, weights, means, mean_g, state.imputed)
                if index <= last_index
                else None
            )
            if level is None:
                complete = False
                break
            segment[index] = level
        if complete:
            mean_g = math.fsum(segment[i].value for i in year_indexes("M", year)) / 12
            means = _member_means(values, state.imputed, year)
        else:
            mean_g = None  # no mean_G(y) to link year y + 1 to: the chain ends here
        year += 1
    return state.segments


def _start(
    values: dict[str, dict[int, tuple[float, str]]],
    whole_years: dict[str, set[int]],
    weights: dict[str, float],
    year: int,
    min_coverage_pct: float,
) -> tuple[dict[int, Level], dict[str, float]] | None:
    """The first year y0, if `year` qualifies: relatives to the members' own means of y0.

    Most years tried do not qualify (a group's members start reporting years apart): whether
    one does is told from the members' whole years (`_whole_years`), before any mean."""
    reporting = [country for country in weights if year in whole_years.get(country, ())]
    missing = len(reporting) < len(weights)
    coverage = _coverage(math.fsum(weights[country] for country in reporting), missing)
    if not reporting or coverage + COVERAGE_TOLERANCE < min_coverage_pct:
        return None
    means = {
        country: mean
        for country, mean in _member_means(values, {}, year).items()
        if country in weights
    }
    segment: dict[int, Level] = {}
    for index in year_indexes("M", year):
        relative = math.fsum(
            weights[c] * values[c][index][0] / means[c] for c in means
        ) / math.fsum(weights[c] for c in means)
        status = "E" if missing else worst(values[c][index][1] for c in means)
        segment[index] = Level(100.0 * relative, status, False, coverage)
    return segment, _member_means(values, {}, year)


def _member_means(
    values: dict[str, dict[int, tuple[float, str]]], imputed: dict[str, dict[int, float]], year: int
) -> dict[str, float]:
    """mean_i(y) of every member whose 12 months of y are reported or imputed."""
    result: dict[str, float] = {}
    for country in values.keys() | imputed.keys():
        levels = []
        for index in year_indexes("M", year):
            level = values.get(country, {}).get(index, (None,))[0]
            if level is None:
                level = imputed.get(country, {}).get(index)
            if level is None:
                break
            levels.append(level)
        else:
            result[country] = math.fsum(levels) / 12
    return result
