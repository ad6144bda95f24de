"""H6's chain as it was before a year that every member reports was computed without the month
by month imputation's bookkeeping: kept here, and only here, as the oracle aggregate.py's chain
is compared with bit for bit (test_aggregate_oracle.py).

Copied unchanged from indices/publish/harmonization/aggregate.py at commit 47f6ec1 (from
`_Shares` to the end), but for its imports; not product code, not to be changed but to follow a
deliberate change of the method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from indices.publish.harmonization.aggregate import MonthlyValues
from indices.publish.harmonization.levels import Level
from indices.publish.harmonization.periods import year_indexes
from indices.publish.harmonization.statuses import worst

COVERAGE_TOLERANCE = 1e-9


class _Shares:
    """w_i(y): each member's value added for the activity in year y, or in its latest year
    before y where y is missing (its earliest year after y where none is before), divided by
    the sum over the group's members. Members with no value added have no weight at all."""

    def __init__(
        self, activity: str, countries: list[str], weights: Mapping[tuple[str, str, int], float]
    ):
        self._years: dict[str, dict[int, float]] = {}
        for (country, weight_activity, year), value in weights.items():
            if weight_activity == activity and country in countries and value and value > 0:
                self._years.setdefault(country, {})[year] = value
        self._cache: dict[int, dict[str, float]] = {}

    def __call__(self, year: int) -> dict[str, float]:
        if year not in self._cache:
            values = {country: self._value(years, year) for country, years in self._years.items()}
            total = math.fsum(values.values())
            self._cache[year] = {country: value / total for country, value in values.items()}
        return self._cache[year]

    @staticmethod
    def _value(years: dict[int, float], year: int) -> float:
        if year in years:
            return years[year]
        before = [y for y in years if y < year]
        return years[max(before)] if before else years[min(years)]


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


def _whole_years(levels: MonthlyValues) -> set[int]:
    """The years of which a member reports all 12 months (as `_member_means` counts them: every
    month of MonthlyValues has a value). Counted in numpy: a monthly update counts some 600,000
    months over its groups' chains."""
    months = np.fromiter(levels, dtype=np.int64, count=len(levels))
    years, counts = np.unique(months // 12, return_counts=True)
    return set(years[counts == 12].tolist())


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


def _month(
    index: int,
    values: dict[str, dict[int, tuple[float, str]]],
    weights: dict[str, float],
    means: dict[str, float],
    mean_g: float,
    imputed: dict[str, dict[int, float]],
) -> Level | None:
    reporting = [c for c in weights if c in means and index in values.get(c, {})]
    if not reporting:
        return None
    relatives = {c: values[c][index][0] / means[c] for c in reporting}
    reported_weight = math.fsum(weights[c] for c in reporting)
    reported = dict(relatives)  # imputation reads the reporting members only
    for country in weights:
        if country in relatives:
            continue
        relative = _impute(country, index, values, weights, means, imputed, reported)
        if relative is None:
            relative = math.fsum(weights[c] * relatives[c] for c in reporting) / reported_weight
        relatives[country] = relative
        if country in means:
            imputed.setdefault(country, {})[index] = relative * means[country]
    value = mean_g * math.fsum(weights[c] * relatives[c] for c in weights)
    missing = len(reporting) < len(weights)
    status = "E" if missing else worst(values[c][index][1] for c in reporting)
    return Level(value, status, False, _coverage(reported_weight, missing))


def _coverage(reported_share: float, missing: bool) -> float:
    """COVERAGE in percent: exactly 100.0 when every member with weight reports (the shares'
    sum may miss 1 in the last bit), strictly below 100 when one is missing, however small its
    weight, so that no output can round it up to 100.0 (STANDARD 1.1)."""
    if not missing:
        return 100.0
    return min(100.0 * reported_share, math.nextafter(100.0, 0.0))


def _impute(
    country: str,
    index: int,
    values: dict[str, dict[int, tuple[float, str]]],
    weights: dict[str, float],
    means: dict[str, float],
    imputed: dict[str, dict[int, float]],
    relatives: dict[str, float],
) -> float | None:
    """The member's previous-month relative moved by the growth, from the previous month, of
    the members that report both months; None where it has no previous level or no member
    reports both months."""
    if country not in means:
        return None
    previous = values.get(country, {}).get(index - 1, (None,))[0]
    if previous is None:
        previous = imputed.get(country, {}).get(index - 1)
    if previous is None:
        return None
    both = [c for c in relatives if index - 1 in values[c]]
    if not both:
        return None
    now = math.fsum(weights[c] * relatives[c] for c in both)
    before = math.fsum(weights[c] * values[c][index - 1][0] / means[c] for c in both)
    return previous / means[country] * now / before


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
