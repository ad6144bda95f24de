"""What H6 reads of a release's groups (services/publication.py `_aggregate_groups` computes
them): which members count in which group, the members' current monthly levels (read beside the
release's transaction, from two years back where the groups' chains can go on from kept means,
services/chains.py), and the pairs whose group series can be computed over a window."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from countries.models import Country
from indices.national.copy_out import copied_out
from indices.publish import harmonization as h
from indices.publish.harmonization.aggregate import MonthlyValues
from indices.publish.harmonization.statuses import MISSING
from indices.publish.services.chains import ChainInputs, GroupPair, chains_kept
from indices.publish.services.windowed import Given


def group_codes() -> set[str]:
    """Every group some member counts in."""
    return {
        group for groups in Country.objects.values_list("aggregates", flat=True) for group in groups
    }


@dataclass(frozen=True)
class Membership:
    """The groups the changed countries count in (all groups for a weights release), and the
    members of every group."""

    groups: set[str]
    members_by_group: dict[str, list[str]]

    @classmethod
    def of(cls, countries: list[Country]) -> Membership:
        groups = {g for c in countries for g in c.aggregates} if countries else group_codes()
        members_by_group: dict[str, list[str]] = defaultdict(list)
        for code, aggregates in Country.objects.values_list("code", "aggregates"):
            for group in aggregates:
                members_by_group[group].append(code)
        return cls(groups, members_by_group)

    @property
    def counted(self) -> set[str]:
        """Every member of the groups."""
        return {m for g in self.groups for m in self.members_by_group[g]}


def member_level_keys(membership: Membership, touched: set[tuple[str, str]]) -> list[str]:
    """The monthly series whose published levels H6 may read: each touched pair of every member
    of the groups (publication.py `_aggregate_groups` keeps those it needs)."""
    return [
        member_level_key(member, activity, adjustment)
        for member in sorted(membership.counted)
        for activity, adjustment in sorted(touched)
    ]


def member_level_key(area: str, activity: str, adjustment: str) -> str:
    return f"M.{area}.{activity}.{adjustment}.IX"


# The current monthly levels of some series: each series found by its key, then its current
# values by the current-value index.
_PUBLISHED_LEVELS = """
SELECT s.series_key, o.period_start, o.value, o.status
FROM indices_publishedseries AS s
JOIN indices_publishedobservation AS o ON o.series_no = s.number
WHERE s.series_key = ANY(%(keys)s) AND o.valid_to IS NULL
"""
PUBLISHED_LEVELS_SCHEMA = {
    "series_key": pl.String,
    "period_start": pl.Date,
    "value": pl.Float64,
    "status": pl.String,
}


def published_monthly_levels(keys: list[str], since: date | None = None) -> pl.DataFrame:
    """The current values of the series `keys` (PUBLISHED_LEVELS_SCHEMA), from `since` on (all,
    where None). One COPY, and no Point or date object per value: a monthly update's
    aggregates read 180,000 of them from their start, 11,520 from two years back."""
    if not keys:
        return pl.DataFrame(schema=PUBLISHED_LEVELS_SCHEMA)
    if since is None:
        return copied_out(_PUBLISHED_LEVELS, {"keys": keys}, PUBLISHED_LEVELS_SCHEMA)
    return copied_out(
        _PUBLISHED_LEVELS + " AND o.period_start >= %(since)s",
        {"keys": keys, "since": since},
        PUBLISHED_LEVELS_SCHEMA,
    )


def published_monthly_values(
    until: dict[tuple[str, str, str], date | None], levels: pl.DataFrame
) -> dict[tuple[str, str, str], MonthlyValues]:
    """Members' current monthly index levels, as H6 reads them (`aggregate.monthly_values`),
    by (member, activity, adjustment), before a period each (None: all of them), from the
    current `levels` of those series (and maybe others)."""
    if not until:
        return {}
    bounds = pl.DataFrame(
        {
            "series_key": [member_level_key(*key) for key in until],
            "until": list(until.values()),
        },
        schema={"series_key": pl.String, "until": pl.Date},
    )
    period = pl.col("period_start")
    kept = (
        # The bounds applied here: joined with them in SQL, the planner scans the whole store.
        levels.join(bounds, on="series_key")
        .filter(
            (pl.col("until").is_null() | (period < pl.col("until")))
            & pl.col("value").is_not_null()
            & ~pl.col("status").is_in(sorted(MISSING))
        )
        .select(
            "series_key",
            "value",
            index=period.dt.year().cast(pl.Int64) * 12 + period.dt.month().cast(pl.Int64) - 1,
            status=pl.when(pl.col("status") == "B").then(pl.lit("A")).otherwise("status"),
        )
    )
    values: dict[tuple[str, str, str], MonthlyValues] = {}
    # Each series' columns as lists in one pass, not a frame per series.
    per_series = kept.group_by("series_key").agg("index", "value", "status")
    for key, index, value, status in per_series.iter_rows():
        _, area, activity, adjustment, _ = key.split(".")
        values[(area, activity, adjustment)] = dict(
            zip(index, zip(value, status, strict=True), strict=True)
        )
    return values


@dataclass
class MemberLevels:
    """The current monthly levels of `member_level_keys` that H6 reads: `frame` holds those from
    `since` on (all of them, where None); `whole()` all of them, read again where need be."""

    frame: pl.DataFrame
    since: date | None
    keys: list[str]

    def whole(self) -> pl.DataFrame:
        if self.since is not None:
            self.frame, self.since = published_monthly_levels(self.keys), None
        return self.frame


def member_levels_since(
    given: dict[tuple[str, str], Given], group_pairs: list[GroupPair], inputs: ChainInputs
) -> date | None:
    """Where the members' levels that H6 reads may start (None: at their first): for a member's
    release of recent years only, at the second January before its first period given, where
    every pair of its groups has kept the means of that year from today's `inputs`
    (services/chains.py). Every group window then starts at or after the January of that
    period's year, and a chain that goes on reads the levels from the year before its first
    on; any other pair of a group reads them all again (`MemberLevels.whole`)."""
    if not given:
        return None
    year = min(item.first for item in given.values()).year - 2
    if year < inputs.ref_year or not chains_kept(group_pairs, year, inputs.ref_year, inputs):
        return None
    return date(year, 1, 1)


def of_members(
    values: dict[tuple[str, str, str], MonthlyValues], members: list[str]
) -> dict[tuple[str, str, str], MonthlyValues]:
    """The levels of a group's members (of the touched pairs only, as `until` names them)."""
    return {key: levels for key, levels in values.items() if key[0] in members}


@dataclass
class GroupSeries:
    """The groups' series a release computed, and those of its pairs computed over a window
    ((group, activity, adjustment): from when), as the members' windows."""

    series: list[h.HarmonizedSeries] = field(default_factory=list)
    windows: dict[tuple[str, str, str], date] = field(default_factory=dict)


def group_window_starts(
    members: list[str],
    changed: set[str],
    touched: set[tuple[str, str]],
    windows: dict[tuple[str, str, str], date],
) -> dict[tuple[str, str], date]:
    """The pairs of a group that can be computed over a window, each from when: those that
    every changed member of the group harmonized over a window, so that the group's inputs
    before it (that member's levels, every other member's, the weights) are unchanged. The
    chain goes on from the year before the window where its means were kept (services/
    chains.py), else it is computed from its start (its levels before the window come out as
    published); the series derived from it, and their vintages, start a year before the
    window instead of at the chain's start: for a monthly update, 20 of 500 months."""
    changed_members = [member for member in members if member in changed]
    if not changed_members:  # a weights release
        return {}
    result = {}
    for activity, adjustment in touched:
        starts = [windows.get((member, activity, adjustment)) for member in changed_members]
        if all(start is not None for start in starts):
            result[(activity, adjustment)] = min(start for start in starts if start)
    return result
