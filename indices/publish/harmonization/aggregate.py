"""H6: a group's (MKG, MKG_JP) annually chain-linked Laspeyres index for one activity and
adjustment, from its members' harmonized monthly IX series and value-added weights.

Notation (docs/methodology.md, H6): w_i(y) member i's share of the group's value added in year y,
mean_i(y) the mean of member i's 12 monthly levels of y, r_i(t) = I_i(t) / mean_i(y - 1) the
relative of month t of year y.

- First year y0: the first year in which the members that report all 12 months carry at least
  min_coverage_pct of the weight w(y0). There I_G(y0, m) = 100 * sum_i w_i(y0) r_i(y0, m) with
  relatives to mean_i(y0) itself, so mean_G(y0) = 100.
- Later years: I_G(y, m) = mean_G(y - 1) * sum_i w_i(y - 1) * I_i(y, m) / mean_i(y - 1).
- A member with weight that has no value for a month (or no mean_i(y - 1) to compare it with)
  is imputed with the group's growth over the others: its relative of the previous month
  times the growth of the reporting members' weighted relatives; where it has no previous
  relative, the reporting members' weighted mean relative. Its imputed level then completes its
  year for mean_i(y). The aggregate point is flagged E.
- A year with a month no member reports ends the chain; it restarts at the next qualifying y0.
  Only the stretch that holds the whole reference year can be re-referenced (H2) and published.
- Going on from a year (`ChainFrom`): where mean_G of the year before it and of the reference
  year are known (kept by the last computation, services/chains.py) and every member with
  weight reports all 12 months of the year before, the chain from that year on is the one from
  y0 bit for bit: mean_G(y - 1) and mean_i(y - 1) are all that link a year to the one before
  (nothing is imputed in a whole year), and H2 needs only the reference year's mean.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from indices.publish.harmonization.derive import derive_all
from indices.publish.harmonization.levels import Level, Levels
from indices.publish.harmonization.member import rescaled
from indices.publish.harmonization.periods import to_index, year_indexes
from indices.publish.harmonization.statuses import MISSING, RANK, named, ranks, worst
from indices.publish.harmonization.types import HarmonizedSeries, object_array

# A share computed as 0.75 must not fail a 75% threshold through rounding in the last bit.
COVERAGE_TOLERANCE = 1e-9
# H7: the aggregates of adjusted series (Y) and trend-cycles (T) have no annual values (an annual
# mean has no season) and are compiled by the secretariat, whichever release recomputes them (a
# member's, a weights release, adjustment's follow-up).
SEASONLESS = ("Y", "T")
SECRETARIAT = "MKG_SEC"


# A member's monthly levels as H6 reads them: {month index: (value, status)}, only the months
# with a value, a link's B read as A (the group's index is chain-linked every year anyway).
MonthlyValues = dict[int, tuple[float, str]]


@dataclass(frozen=True)
class ChainFrom:
    """Where a pair's chain goes on from: `year`, with mean_G, in chain units, of the year before
    it and of the reference year, as the pair's last computation left them."""

    year: int
    mean_before: float
    ref_mean: float


@dataclass(frozen=True)
class ChainMeans:
    """A pair's chain as a computation leaves it: mean_G in chain units of the reference year and
    of each year of the stretch that holds it that every member with weight reports whole (a
    year the chain can go on after), from `since` on (None: the whole stretch; no year before
    it is the chain's any more, and an empty `means` says the pair has none)."""

    since: int | None
    means: dict[int, float]


def aggregate_group(
    *,
    group: str,
    members: Mapping[str, Sequence[HarmonizedSeries]],
    weights: Mapping[tuple[str, str, int], float],
    ref_year: int,
    min_coverage_pct: float,
    values: Mapping[tuple[str, str, str], MonthlyValues] | None = None,
    since: Mapping[tuple[str, str], date] | None = None,
    only: Collection[tuple[str, str]] | None = None,
    chained_from: Mapping[tuple[str, str], ChainFrom] | None = None,
    chains: dict[tuple[str, str], ChainMeans] | None = None,
) -> list[HarmonizedSeries]:
    """`members` must name every member of the group, with an empty sequence for a member that
    has no series: a member with value added but no series counts as missing (imputed).
    `values`: more of the members' monthly IX levels, already as H6 reads them, by (member,
    activity, adjustment): what a caller reads in bulk need not become Points first.
    `since`: (activity, adjustment) pairs whose series are wanted from a period on only (a
    window, services/windowed.py): they are derived from the levels of the January of the year
    before it on, which every point from it on is computed from (a growth over 12 months, a
    year's mean and its annual growth); the caller drops the points before it. `only`: the
    (activity, adjustment) pairs to compute (all, without it). `chained_from`: pairs whose chain
    goes on from a year (`ChainFrom`; their `values` need start only in the year before it, and
    a pair whose members' levels do not show that year whole gets no series); each needs a
    window (`since`) no earlier than the January after that year. `chains`: filled with each
    computed pair's `ChainMeans`, for the next computation to go on from."""
    by_key: dict[tuple[str, str], dict[str, MonthlyValues]] = {}
    for country, series_list in members.items():
        for series in series_list:
            if series.freq != "M" or series.transformation != "IX":
                continue
            by_key.setdefault((series.activity, series.adjustment), {}).setdefault(
                country, {}
            ).update(monthly_values(series))
    for (country, activity, adjustment), levels in (values or {}).items():
        if country in members:
            by_key.setdefault((activity, adjustment), {}).setdefault(country, {}).update(levels)
    result: list[HarmonizedSeries] = []
    shares_of: dict[str, _Shares] = {}
    for activity, adjustment in sorted(by_key):
        if only is not None and (activity, adjustment) not in only:
            continue
        if activity not in shares_of:  # the same for each adjustment
            shares_of[activity] = _Shares(activity, list(members), weights)
        going_on = (chained_from or {}).get((activity, adjustment))
        values_of = by_key[(activity, adjustment)]
        whole_years = {country: _whole_years(levels) for country, levels in values_of.items()}
        chained = _chain(values_of, shares_of[activity], min_coverage_pct, going_on, whole_years)
        if going_on is not None:
            segment = chained[0] if chained else None
        else:
            segment = next(
                (s for s in chained if all(i in s for i in year_indexes("M", ref_year))), None
            )
        if chains is not None and (segment is not None or going_on is None):
            means = segment.year_means() if segment is not None else {}
            chains[(activity, adjustment)] = ChainMeans(
                since=going_on.year if going_on is not None else None,
                means={
                    year: mean
                    for year, mean in means.items()
                    if year == ref_year or _reported_whole(year, shares_of[activity], whole_years)
                },
            )
        if segment is None:
            continue
        ref_mean = going_on.ref_mean if going_on is not None else segment.year_mean(ref_year)
        chained_levels = segment.levels()
        window = (since or {}).get((activity, adjustment))
        if window is not None:  # the window's levels only
            first = (window.year - 1) * 12
            chained_levels = chained_levels.take(chained_levels.index >= first)
        referenced = rescaled(chained_levels, ref_mean)  # H2
        assert referenced.coverage is not None
        published = referenced.take(referenced.coverage + COVERAGE_TOLERANCE >= min_coverage_pct)
        if not len(published):
            continue
        seasonless = adjustment in SEASONLESS
        result.extend(
            series
            for series in derive_all(
                freq="M",
                levels=published,
                ref_area=group,
                activity=activity,
                adjustment=adjustment,
                attributes={"REF_YEAR": ref_year}
                | ({"COMPILING_ORG": SECRETARIAT} if seasonless else {}),
            )
            if not (seasonless and series.freq == "A")
        )
    return result


def monthly_values(series: HarmonizedSeries) -> MonthlyValues:
    values: MonthlyValues = {}
    for point in series.points:
        if point.value is None or point.status in MISSING:
            continue
        status = "A" if point.status == "B" else point.status
        values[to_index("M", point.period)] = (point.value, status)
    return values


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
class _Segment:
    """An unbroken stretch of the group's chain: its levels of the months from `first` on, one
    after the other, as columns (an aggregate's levels have no break and no COMMENT)."""

    first: int
    value: list[float] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    coverage: list[float] = field(default_factory=list)

    def __contains__(self, index: int) -> bool:
        return self.first <= index < self.first + len(self.value)

    def append(self, level: Level) -> None:
        assert level.coverage is not None
        self.value.append(level.value)
        self.status.append(level.status)
        self.coverage.append(level.coverage)

    def year_mean(self, year: int) -> float:
        """mean_G(year), as the chain links the next year to it and H2 re-references with it."""
        start = year * 12 - self.first
        return math.fsum(self.value[start : start + 12]) / 12

    def year_means(self) -> dict[int, float]:
        """mean_G of each of its whole years (a segment starts in a January)."""
        whole = range(self.first // 12, (self.first + len(self.value)) // 12)
        return {year: self.year_mean(year) for year in whole}

    def levels(self) -> Levels:
        status = object_array(self.status)
        return Levels(
            index=np.arange(self.first, self.first + len(self.value), dtype=np.int64),
            value=np.array(self.value, dtype=np.float64),
            status=status,
            rank=ranks(status),
            brk=np.zeros(len(self.value), dtype=bool),
            coverage=np.array(self.coverage, dtype=np.float64),
        )

    def as_mapping(self) -> dict[int, Level]:
        """{month index: Level}, as the chain was kept before it was kept as columns."""
        levels = zip(self.value, self.status, self.coverage, strict=True)
        return {
            self.first + offset: Level(value, status, False, coverage)
            for offset, (value, status, coverage) in enumerate(levels)
        }


@dataclass
class _Chain:
    segments: list[_Segment] = field(default_factory=list)
    imputed: dict[str, dict[int, float]] = field(default_factory=dict)  # imputed member levels


def _chain(
    values: dict[str, dict[int, tuple[float, str]]],
    shares: _Shares,
    min_coverage_pct: float,
    going_on: ChainFrom | None = None,
    whole_years: dict[str, set[int]] | None = None,
) -> list[_Segment]:
    """The group's index in chain units (mean_G(y0) = 100), one segment per unbroken stretch;
    from `going_on.year` on, the stretch that runs through it first (none where a member with
    weight lacks a month of the year before). `whole_years`: `_whole_years` of every member,
    where the caller has them."""
    indexes = [index for member in values.values() for index in member]
    if not indexes:
        return []
    first_year, last_index = min(indexes) // 12, max(indexes)
    if whole_years is None:
        whole_years = {country: _whole_years(levels) for country, levels in values.items()}
    state = _Chain()
    mean_g: float | None = None  # mean_G(y - 1) while a chain runs
    means: dict[str, float] = {}  # mean_i(y - 1)
    year = first_year
    if going_on is not None:
        year = going_on.year
        if not _reported_whole(year - 1, shares, whole_years):
            return []  # a member's mean of the year before would take imputed months
        mean_g = going_on.mean_before
        means = _member_means(values, {}, year - 1)
        state.segments.append(_Segment(first=year * 12))
    while year * 12 <= last_index:
        if mean_g is None:
            started = _start(values, whole_years, shares(year), year, min_coverage_pct)
            if started is not None:
                segment, means = started
                state.segments.append(segment)
                state.imputed = {}
                mean_g = segment.year_mean(year)
            year += 1
            continue
        segment = state.segments[-1]
        reported = _reported_years(segment, year, values, whole_years, shares, means, mean_g)
        if reported is not None:
            mean_g, year = reported
            means = _member_means(values, state.imputed, year - 1)
            continue
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
            segment.append(level)
        if complete:
            mean_g = segment.year_mean(year)
            means = _member_means(values, state.imputed, year)
        else:
            mean_g = None  # no mean_G(y) to link year y + 1 to: the chain ends here
        year += 1
    return state.segments


def _reported_whole(year: int, shares: _Shares, whole_years: dict[str, set[int]]) -> bool:
    """Whether every member with weight reports all 12 months of `year` (nothing is imputed)."""
    return all(year in whole_years.get(country, ()) for country in shares(year))


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
) -> tuple[_Segment, dict[str, float]] | None:
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
    segment = _Segment(first=year * 12)
    for index in year_indexes("M", year):
        relative = math.fsum(
            weights[c] * values[c][index][0] / means[c] for c in means
        ) / math.fsum(weights[c] for c in means)
        status = "E" if missing else worst(values[c][index][1] for c in means)
        segment.append(Level(100.0 * relative, status, False, coverage))
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


def _reported_years(
    segment: _Segment,
    year: int,
    values: dict[str, dict[int, tuple[float, str]]],
    whole_years: dict[str, set[int]],
    shares: _Shares,
    means: dict[str, float],
    mean_g: float,
) -> tuple[float, int] | None:
    """The run of years from `year` on in which every member with weight reports all 12
    months, where each has a mean of the year before `year`; None where there is none, and
    `_month` goes month by month. The run's levels are appended to `segment`; returns (mean_G
    of the run's last year, the first year after the run). Nothing is imputed in a run: each
    month is `_month`'s level, the same products summed by `fsum`, without its imputation's
    bookkeeping, and a member's mean of each year is that of its reported months.

    The run is computed over arrays, a member a row: the products element by element (IEEE
    division and multiplication, the same bits as Python's), each sum by `fsum` over a row of
    them; only mean_G links a year to the next. A monthly update chains some 240 groups' pairs
    over four decades: 331 ms (the least of 10 replays) a year at a time, 173 ms in runs
    (docs/benchmarks.md)."""
    # The members with weight are the same every year (`_Shares` gives every member with
    # value added some year's), so those of the year before the run are the run's.
    countries = list(shares(year - 1))
    if not countries or any(country not in means for country in countries):
        return None  # a member with no series, or no mean of the year before
    end = year
    while all(end in whole_years.get(country, ()) for country in countries):
        end += 1
    if end == year:
        return None
    months = range(year * 12, end * 12)
    levels = np.empty((len(countries), len(months)))
    status_ranks = np.empty((len(countries), len(months)), dtype=np.int8)
    for row, country in enumerate(countries):
        series = values[country]
        reported = [series[index] for index in months]
        levels[row] = [level for level, _ in reported]
        statuses = [status for _, status in reported]
        if statuses.count("A") == len(statuses):  # the usual case, counted in C
            status_ranks[row] = 0
        else:
            status_ranks[row] = [RANK.get(status, 0) for status in statuses]
    # mean_i(y - 1) of each year y of the run: the chain's for the first, the run's own after.
    year_means = np.empty((len(countries), end - year))
    year_means[:, 0] = [means[country] for country in countries]
    sums = list(map(math.fsum, levels[:, :-12].reshape(-1, 12).tolist()))
    year_means[:, 1:] = np.array(sums).reshape(len(countries), -1) / 12
    if not year_means.all():
        raise ZeroDivisionError("float division by zero")  # as the relatives' division did
    by_year = [shares(y - 1) for y in range(year, end)]
    year_shares = [[weights[country] for weights in by_year] for country in countries]
    relatives = np.repeat(year_shares, 12, axis=1) * (levels / np.repeat(year_means, 12, axis=1))
    totals = list(map(math.fsum, relatives.T.tolist()))
    for start in range(0, len(totals), 12):
        year_levels = [mean_g * total for total in totals[start : start + 12]]
        mean_g = math.fsum(year_levels) / 12
        segment.value += year_levels
    segment.status += named(status_ranks.max(axis=0)).tolist()
    segment.coverage += [100.0] * len(months)
    return mean_g, end


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
    indexes = year_indexes("M", year)
    for country in values.keys() | imputed.keys():
        reported = values.get(country)
        if reported is not None:
            try:  # every month reported, the usual case
                result[country] = math.fsum([reported[index][0] for index in indexes]) / 12
                continue
            except KeyError:
                pass
        levels = []
        for index in indexes:
            level = values.get(country, {}).get(index, (None,))[0]
            if level is None:
                level = imputed.get(country, {}).get(index)
            if level is None:
                break
            levels.append(level)
        else:
            result[country] = math.fsum(levels) / 12
    return result
