"""H6's chain kept between releases (harmonization/aggregate.py `ChainFrom`, `ChainMeans`).

A group's (activity, adjustment) is chain-linked from its first year y0, four decades back for
most. A member's monthly update changes its levels from the January of its window on only
(services/windowed.py), so the group's chain up to the year before is as the last computation
left it. That computation kept mean_G of the reference year and of each year that every member
with weight reported whole (AggregateChainYear): the next goes on from there, and reads the
members' levels of the last few years, not of four decades.

What it rests on: every computation of a group's pair keeps its means, in the transaction that
publishes its values (a member's release, a weights release, adjustment's follow-up), with a
digest of what else the chain is computed from (`ChainInputs`: the group's members, their
value-added weights of the activity in every year, the minimum coverage, the reference year). A
pair goes on from kept means only where that digest is today's, and publishes only where the
year before its window comes out bit for bit as published (publication.py `_windows_kept`);
else it is computed from y0. The check of the year before cannot see the inputs by itself: a
weight of an earlier year, changed, moves the chain's units before the window without moving
that year's levels computed from kept means. A new version of the harmonization code calls for
a recomputation after its deploy, as for a member's window (windowed.py).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl
from django.db import connection

from indices.national.copy_out import array_params
from indices.publish import harmonization as h
from indices.publish.models import ValueAddedWeight

# (group, activity, adjustment)
GroupPair = tuple[str, str, str]

_KEYS = {"areas": pl.String, "activities": pl.String, "adjustments": pl.String}


def value_added_weights() -> dict[tuple[str, str, int], float]:
    """H6's weights table: (member, activity, year) -> value added."""
    return {
        (country, activity, year): float(value)
        for country, activity, year, value in ValueAddedWeight.objects.values_list(
            "country_id", "activity", "year", "value_added"
        )
    }


class ChainInputs:
    """What a group's chain is computed from besides its members' levels, as a digest of each
    group and activity: the group's members, their value added for the activity in every year
    (`weights`, as `value_added_weights` reads them), the minimum coverage and the reference
    year."""

    def __init__(
        self,
        members_by_group: Mapping[str, Sequence[str]],
        weights: dict[tuple[str, str, int], float],
        min_coverage_pct: float,
        ref_year: int,
    ):
        self.weights = weights
        self.min_coverage_pct = min_coverage_pct
        self.ref_year = ref_year
        self._members = {group: sorted(members) for group, members in members_by_group.items()}
        self._digests: dict[tuple[str, str], str] = {}
        self._by_activity: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        for (country, activity, year), value in weights.items():
            self._by_activity[activity].append((country, year, value))

    def __call__(self, group: str, activity: str) -> str:
        if (group, activity) not in self._digests:
            self._digests[group, activity] = self._digest(group, activity)
        return self._digests[group, activity]

    def _digest(self, group: str, activity: str) -> str:
        members = self._members.get(group, [])
        weights = sorted(
            (country, year, repr(value))
            for country, year, value in self._by_activity.get(activity, ())
            if country in members
        )
        text = repr((members, weights, repr(self.min_coverage_pct), self.ref_year))
        return hashlib.sha256(text.encode()).hexdigest()


# Each pair's kept means of a year and of the reference year.
_KEPT = """
SELECT c.ref_area, c.activity, c.adjustment, c.year, c.mean
FROM unnest(%(areas)s::text[], %(activities)s::text[], %(adjustments)s::text[], %(years)s::int[],
            %(inputs)s::text[]) AS k(ref_area, activity, adjustment, year, inputs)
JOIN indices_aggregatechainyear AS c
    ON c.ref_area = k.ref_area AND c.activity = k.activity AND c.adjustment = k.adjustment
   AND c.year IN (k.year, %(ref_year)s) AND c.inputs = k.inputs
"""

# A pair's means from a year on (from its first, where NULL) replaced by those just computed.
_FORGET = """
DELETE FROM indices_aggregatechainyear AS c
USING unnest(%(areas)s::text[], %(activities)s::text[], %(adjustments)s::text[],
             %(years)s::int[]) AS k(ref_area, activity, adjustment, since)
WHERE c.ref_area = k.ref_area AND c.activity = k.activity AND c.adjustment = k.adjustment
  AND c.year >= coalesce(k.since, 0)
"""
_KEEP = """
INSERT INTO indices_aggregatechainyear (ref_area, activity, adjustment, year, mean, inputs)
SELECT * FROM unnest(%(areas)s::text[], %(activities)s::text[], %(adjustments)s::text[],
                     %(years)s::int[], %(means)s::float8[], %(inputs)s::text[])
"""


def group_aggregated(
    group: str,
    members: Mapping[str, Sequence[h.HarmonizedSeries]],
    inputs: ChainInputs,
    kept: dict[GroupPair, h.ChainMeans],
    **options,
) -> list[h.HarmonizedSeries]:
    """H6 for one group (`h.aggregate_group` with `options`) from `inputs`, the means of each
    chain it computes added to `kept`, for `chains_keep` to keep once the release's groups are
    done."""
    computed: dict[tuple[str, str], h.ChainMeans] = {}
    series = h.aggregate_group(
        group=group,
        members=members,
        weights=inputs.weights,
        ref_year=inputs.ref_year,
        min_coverage_pct=inputs.min_coverage_pct,
        chains=computed,
        **options,
    )
    kept.update({(group, *pair): chain for pair, chain in computed.items()})
    return series


def chains_from(
    windows: dict[GroupPair, date], ref_year: int, inputs: ChainInputs
) -> dict[GroupPair, h.ChainFrom]:
    """The group pairs of `windows` (each the first period of its window) whose chain can go on
    from the year before the window (the first year its series are derived from), with the
    means of the year before that and of the reference year kept from today's `inputs`; none
    that would compute the reference year anew."""
    years = {key: since.year - 1 for key, since in windows.items() if since.year - 2 >= ref_year}
    if not years:
        return {}
    kept: dict[GroupPair, dict[int, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _KEPT,
            {
                **_key_params(list(years)),
                "years": [year - 1 for year in years.values()],
                "inputs": [inputs(area, activity) for area, activity, _ in years],
                "ref_year": ref_year,
            },
        )
        for area, activity, adjustment, year, mean in cursor.fetchall():
            kept.setdefault((area, activity, adjustment), {})[year] = mean
    return {
        key: h.ChainFrom(year=year, mean_before=means[year - 1], ref_mean=means[ref_year])
        for key, year in years.items()
        if year - 1 in (means := kept.get(key, {})) and ref_year in means
    }


def chains_kept(keys: list[GroupPair], year: int, ref_year: int, inputs: ChainInputs) -> bool:
    """Whether every one of the group pairs `keys` has means kept of `year` and of the reference
    year from today's `inputs`: whether a release whose windows start two years after `year` or
    later may read the members' levels from `year` on only (groups.py `member_levels_since`)."""
    if not keys:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            _KEPT,
            {
                **_key_params(keys),
                "years": [year] * len(keys),
                "inputs": [inputs(area, activity) for area, activity, _ in keys],
                "ref_year": ref_year,
            },
        )
        found = {
            (area, activity, adjustment, y)
            for area, activity, adjustment, y, _ in cursor.fetchall()
        }
    return all((*key, y) in found for key in keys for y in (year, ref_year))


def chains_keep(chains: dict[GroupPair, h.ChainMeans], inputs: ChainInputs) -> None:
    """Keep the means of the chains just computed (in the transaction that publishes them), with
    the digest of the `inputs` they were computed from."""
    if not chains:
        return
    rows = [
        (key, year, mean) for key, chain in chains.items() for year, mean in chain.means.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _FORGET,
            {**_key_params(list(chains)), "years": [chain.since for chain in chains.values()]},
        )
        if rows:
            cursor.execute(
                _KEEP,
                {
                    **_key_params([key for key, _, _ in rows]),
                    **array_params(
                        {
                            "years": pl.Series([year for _, year, _ in rows], dtype=pl.Int32),
                            # polars writes each float in its shortest exact form
                            "means": pl.Series([mean for _, _, mean in rows], dtype=pl.Float64),
                        }
                    ),
                    "inputs": [inputs(area, activity) for (area, activity, _), _, _ in rows],
                },
            )


def _key_params(keys: list[GroupPair]) -> dict[str, str]:
    columns = list(zip(*keys, strict=True)) if keys else [(), (), ()]
    return array_params(
        {
            name: pl.Series(list(values), dtype=dtype)
            for (name, dtype), values in zip(_KEYS.items(), columns, strict=True)
        }
    )
