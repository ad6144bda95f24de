"""Publishing one release, in one transaction (the publisher, publish/releases.py, calls
this under its lock):

1. applies the submission to the national series store (so an embargoed submission changes
   nothing any reader or any other release can see before its instant);
2. recomputes the harmonized series of the activities it touches (H1-H5) and the aggregates
   of the groups its country counts in (H6);
3. writes only what changed, as vintages: changed or withdrawn values are closed (valid_to),
   new values opened (valid_from), set-based through a temporary table.

A worker killed mid-way rolls the transaction back: the release stays SCHEDULED and the next
run (a retry, or the beat every few seconds) publishes it once.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

import polars as pl
from django.db import connection, transaction

from countries.audit import audit_record
from countries.models import Agency, Country
from countries.selectors import (
    concordance_entries_for_country,
    concordance_revised_isic_codes,
)
from countries.standard import load_definition
from indices.national.copy_out import array_params
from indices.publish import harmonization as h
from indices.publish.models import PublishedSeries, Release
from indices.publish.services.adjustment import adjustment_publish
from indices.publish.services.beside import ReadBeside
from indices.publish.services.chains import (
    ChainInputs,
    GroupPair,
    chains_from,
    chains_keep,
    group_aggregated,
    value_added_weights,
)
from indices.publish.services.groups import (
    GroupSeries,
    MemberLevels,
    Membership,
    group_codes,
    group_window_starts,
    member_level_keys,
    member_levels_since,
    of_members,
    published_monthly_levels,
    published_monthly_values,
)
from indices.publish.services.national import (
    FRAME_COLUMNS,
    national_store_apply,
    nothing_stored,
    stored_as_given,
)
from indices.publish.services.vintages import VintageChanges, vintages_write
from indices.publish.services.windowed import (
    STORED_ORDER,
    STORED_SCHEMA,
    VALUE_COLUMNS,
    Given,
    Windowed,
    national_series,
    pair_params,
    points_from,
    stored_read,
    windowed_harmonize,
)
from indices.publish.signals import release_published
from indices.receive import progress
from indices.receive.models import Submission
from indices.validate.models import Finding
from indices.validate.rows import publication_rows

logger = logging.getLogger(__name__)

# A member's harmonized series, and those it could not publish.
Harmonized = tuple[list[h.HarmonizedSeries], list[h.Unpublishable]]


@dataclass(frozen=True)
class FirstLoad:
    """A first load's harmonization, from its frame (`_apply_submission`)."""

    rows: int  # the stored values it read
    harmonized: Harmonized


def release_publish(release: Release, *, instant: datetime) -> None:
    """Publish one release at `instant` (call under the publication lock, in a transaction).

    Its values are valid from `instant`, the moment they became visible, not from
    `release_at`: a reader who synchronised just before publication must see them as new.
    """
    standard = load_definition()
    clock = _Clock()
    if release.adjusts_id is not None:
        changed = adjustment_publish(release, instant=instant, standard=standard)
        clock.lap("adjustment")
        _finish(release, instant=instant, changed=changed, clock=clock)
        return
    reporting = _Progress(release)
    given: dict[tuple[str, str], Given] = {}
    first_load = None
    if release.submission is not None:
        reporting.stage("storing", release.submission.rows_read)
        country = release.submission.agency.country
        assert country is not None  # submission_create: only a reporting agency, with a country
        submitted = _submission_given(release.submission)
        touched = set(submitted[1])
        countries = [country]
    else:
        touched = _published_member_activities()
        countries = []
    # H6's published levels: nothing this transaction writes before its vintages changes
    # them, so they are read beside it while it stores and harmonizes (services/beside.py).
    membership = Membership.of(countries)
    inputs = ChainInputs(
        membership.members_by_group,
        value_added_weights(),
        standard.threshold("H6", "min_coverage_pct"),
        standard.ref_year,
    )
    level_keys = member_level_keys(membership, touched)
    levels_since = member_levels_since(
        submitted[1] if release.submission else {},
        [(group, *pair) for group in sorted(membership.groups) for pair in sorted(touched)],
        inputs,
    )
    levels = ReadBeside(
        partial(published_monthly_levels, level_keys, levels_since), worth_it=bool(level_keys)
    )
    if release.submission is not None:
        given, first_load = _apply_submission(
            release.submission, countries[0], standard.ref_year, submitted=submitted
        )
    clock.lap("store")
    member_series, unpublishable = [], []
    windows: dict[tuple[str, str, str], date] = {}
    for country in countries:
        reporting.stage("harmonizing", 0)
        series, problems, windowed = _harmonize_member(
            country,
            touched,
            standard.ref_year,
            given=given,
            first_load=first_load,
            on_rows=partial(reporting.stage, "harmonizing"),
        )
        member_series += series
        unpublishable += problems
        for pair, since in windowed.since.items():
            windows[(country.code, *pair)] = since
        logger.info(
            "release %s: %s of %s activity-adjustment pairs harmonized over a window",
            release.pk,
            len(windowed.since),
            len(touched),
        )
    clock.lap("harmonize")
    reporting.stage("aggregating", len(member_series))
    groups = _aggregate_groups(
        countries,
        touched,
        member_series,
        windows,
        membership=membership,
        levels=MemberLevels(levels.result(), levels_since, level_keys),
        inputs=inputs,
    )
    group_series = groups.series
    windows.update(groups.windows)
    clock.lap("aggregate")
    reporting.stage("vintages", sum(len(s.points) for s in member_series + group_series))
    changed = vintages_write(
        series=member_series + group_series,
        scopes=_scopes(countries, touched, standard),
        release=release,
        instant=instant,
        windows=windows,
    )
    if release.submission is not None and unpublishable:
        _record_unpublishable(release.submission, unpublishable)
    clock.lap("vintages")
    _finish(release, instant=instant, changed=changed, clock=clock)


def _finish(release: Release, *, instant: datetime, changed: VintageChanges, clock: _Clock) -> None:
    release.status = Release.Status.PUBLISHED
    release.published_at = instant
    release.changed_series = changed.series_keys
    release.observations_changed = changed.opened
    release.observations_withdrawn = changed.withdrawn
    release.save()
    # Telling subscribers (disseminate/webhooks/receivers.py) never blocks publication: it runs
    # after commit (and the webhook scan re-schedules recent releases should this fail).
    transaction.on_commit(
        partial(release_published.send, sender=Release, release=release), robust=True
    )
    audit_record(
        action="release.published",
        agency=release.agency_id,
        object_type="release",
        object_id=release.pk,
        details={
            "submission": str(release.submission_id or ""),
            "series": len(changed.series_keys),
            "opened": changed.opened,
            "withdrawn": changed.withdrawn,
        },
    )
    logger.info(
        "published release %s: %s series changed (%s)", release.pk, len(changed.series_keys), clock
    )


class _Progress:
    """A submission's publication stage and count, for its API answer and page (kept in Redis:
    nothing this transaction writes is visible before it commits)."""

    def __init__(self, release: Release):
        self.submission_id = release.submission_id

    def stage(self, stage: str, count: int) -> None:
        if self.submission_id is not None:
            progress.report_publication(self.submission_id, stage=stage, count=count)


class _Clock:
    """Seconds per step, for the log: where a slow publication spends its time."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps.append((step, now - self.last))
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{step} {seconds:.1f}s" for step, seconds in self.laps)


# The rows a submission applies (None without any) and the pairs they touch
# (`_submission_given`).
Submitted = tuple[pl.DataFrame | None, dict[tuple[str, str], Given]]


def _submission_given(submission: Submission) -> Submitted:
    if submission.rows_read == 0:
        return None, {}
    rows = publication_rows(submission, columns=FRAME_COLUMNS)
    return rows, _given(rows)


def _apply_submission(
    submission: Submission,
    country: Country,
    ref_year: int,
    *,
    submitted: Submitted | None = None,
) -> tuple[dict[tuple[str, str], Given], FirstLoad | None]:
    """Apply the submission to the national store (its rows as `submitted` gives them, when
    read already); the (activity, adjustment) pairs it touches, each with its first period
    and the base years it gives per series (windowed.py), and, where the store held nothing
    of the country before (a first load), the member's harmonization of those pairs, else
    None.

    A first load's store holds exactly the submission's rows of the country afterwards
    (services/national.py `stored_as_given`): they are harmonized from its frame, in a thread,
    while PostgreSQL writes them (numpy and the server's COPY each leave the other the GIL
    most of the time: 0.7 s of a million-row release, docs/benchmarks.md)."""
    rows, given = submitted if submitted is not None else _submission_given(submission)
    if rows is None:
        return given, None
    if submission.action == Submission.Action.DELETE or not nothing_stored(
        list(Agency.objects.filter(country=country).values_list("pk", flat=True))
    ):
        national_store_apply(submission=submission, rows=rows)
        return given, None
    # The touched pairs' rows: the rows `given` was made of (a filter that keeps every row
    # copies none; a join with the pairs would copy them all).
    stored = stored_as_given(rows, country.code, STORED_SCHEMA).filter(
        pl.col("activity").is_not_null() & pl.col("adjustment").is_not_null()
    )
    weights = _weights(country)  # read here: the thread touches no database
    with ThreadPoolExecutor(max_workers=1) as pool:
        harmonizing = pool.submit(_harmonized, stored, country.code, weights, ref_year)
        national_store_apply(submission=submission, rows=rows)
        return given, FirstLoad(rows=stored.height, harmonized=harmonizing.result())


def _given(rows: pl.DataFrame) -> dict[tuple[str, str], Given]:
    """Per (activity, adjustment) pair of the rows: its first period, and each series' lowest and
    highest base year."""
    # Published, so validated: an adjustment code that did not parse (NULL) was an error.
    per_series = (
        rows.lazy()  # only the columns read are filtered: a tenth of the time
        .filter(pl.col("activity_n").is_not_null())
        .group_by("activity_n", "adjustment_n", "series_id")
        .agg(
            first=pl.col("period_start").min(),
            lowest=pl.col("base_year").min(),
            highest=pl.col("base_year").max(),
        )
        .sort("activity_n", "adjustment_n", "series_id")
        .collect()
    )
    firsts: dict[tuple[str, str], date] = {}
    bases: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    for activity, adjustment, series_id, first, lowest, highest in per_series.iter_rows():
        pair = (activity, adjustment)
        first = first or date.min  # (a validated row has a period: never in fact)
        firsts[pair] = min(first, firsts.get(pair, first))
        bases[pair][series_id] = (lowest, highest)
    return {pair: Given(first, bases[pair]) for pair, first in firsts.items()}


def _published_member_activities() -> set[tuple[str, str]]:
    return set(
        PublishedSeries.objects.filter(freq="M", transformation="IX")
        .exclude(ref_area__in=group_codes())
        .values_list("activity", "adjustment")
        .distinct()
    )


def _harmonize_member(
    country: Country,
    touched: set[tuple[str, str]],
    ref_year: int,
    *,
    given: dict[tuple[str, str], Given] | None = None,
    first_load: FirstLoad | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> tuple[list[h.HarmonizedSeries], list[h.Unpublishable], Windowed]:
    """The member's harmonized series of the touched pairs: over a window of recent periods
    for the pairs where that is exact (windowed.py; `given` by the submission), in full for
    the others. `first_load`: a first load's, computed from its frame while it was stored
    (`_apply_submission`); no pair of a first load has a window, having nothing published
    before it."""
    if first_load is not None:
        if on_rows is not None:
            on_rows(first_load.rows)
        series, problems = first_load.harmonized
        windowed = Windowed()
    else:
        series, problems, windowed = _harmonize_stored(
            country, touched, ref_year, given=given, on_rows=on_rows
        )
    agency = country.agencies.filter(role=Agency.Role.REPORTER).first()
    classification = country.classifications.first()
    for item in series:
        item.attributes.setdefault("COMPILING_ORG", agency.pk if agency else "")
        item.attributes.setdefault("NAT_CLASSIF", classification.pk if classification else "ISIC4")
    return series, problems, windowed


def _harmonize_stored(
    country: Country,
    touched: set[tuple[str, str]],
    ref_year: int,
    *,
    given: dict[tuple[str, str], Given] | None,
    on_rows: Callable[[int], None] | None,
) -> tuple[list[h.HarmonizedSeries], list[h.Unpublishable], Windowed]:
    weights = _weights(country)
    revised = concordance_revised_isic_codes(country_code=country.code) if given else set()
    windowed = windowed_harmonize(
        country_code=country.code,
        agencies=list(Agency.objects.filter(country=country).values_list("pk", flat=True)),
        # A national code mapped anew by a concordance version may have left values in the
        # pair of its former activity, and new weights change a combination's whole history,
        # without a release of the pair: only its full recomputation is known to be exact.
        given={
            pair: item
            for pair, item in (given or {}).items()
            if pair in touched and pair[0] not in revised
        },
        weights=weights,
        ref_year=ref_year,
    )
    full = sorted(touched - windowed.since.keys())
    # COPY out and read by polars: a third of the time of a cursor's row tuples, and grouped
    # by series in the frame, not per row in Python. Sorted by polars, in memory: PostgreSQL
    # sorts a million rows on disk (work_mem), in four times as long.
    if not full:
        stored = pl.DataFrame(schema=STORED_SCHEMA)
    else:
        stored = stored_read(*stored_query(country.code, full), STORED_SCHEMA)
    if on_rows is not None:
        on_rows(stored.height)
    series, problems = _harmonized(stored, country.code, weights, ref_year)
    return series + windowed.series, problems, windowed


def stored_query(area: str, pairs: list[tuple[str, str]]) -> tuple[str, dict]:
    """The statement reading the stored observations of `pairs` ((activity, adjustment)) of a
    country, and its parameters."""
    return _STORED, {"area": area, **pair_params(pairs)}


def _harmonized(
    stored: pl.DataFrame, country_code: str, weights: dict[str, float | None], ref_year: int
) -> Harmonized:
    """H1-H5 over stored rows (STORED_SCHEMA, any order); touches no database."""
    national = national_series(stored.sort(STORED_ORDER), country_code, weights)
    return h.harmonize_member(series=national, ref_year=ref_year)


def _weights(country: Country) -> dict[str, float | None]:
    """The H1 weights of the country's national codes, by code."""
    return {
        entry.national_code: float(entry.weight) if entry.weight is not None else None
        for entry in concordance_entries_for_country(country_code=country.code)
    }


# The stored observations of the touched pairs of a country (the pairs in SQL: only their rows
# leave the database), then put in the order harmonization reads them (STORED_ORDER). Each series
# of a touched adjustment is read once, by its index range, and its rows kept by their pair in a
# hashed array: joined with the pairs, the planner read every series once per pair of its
# adjustment (24 times over for a country's 120 pairs: 9.8 s against 0.9 s for Thailand's 2.5
# million values on the 10M bench store). A pair's text: windowed.py `pair_params`.
_STORED = f"""
SELECT {VALUE_COLUMNS}
FROM indices_nationalseries AS s
JOIN indices_nationalobservation AS n ON n.series_no = s.id
WHERE s.ref_area = %(area)s AND s.adjustment = ANY(%(adjustments)s::text[])
  AND n.activity || ':' || s.adjustment = ANY(%(pairs)s::text[])
"""


def _aggregate_groups(
    countries: list[Country],
    touched: set[tuple[str, str]],
    fresh: list[h.HarmonizedSeries],
    windows: dict[tuple[str, str, str], date] | None = None,
    *,
    membership: Membership,
    levels: MemberLevels,
    inputs: ChainInputs,
) -> GroupSeries:
    """H6 for every group the changed countries count in (all groups for a weights release).
    `windows`: the member pairs harmonized over a window, from when: their `fresh` series hold
    only the window, and their monthly levels before it are taken from `levels` (the current
    levels of `member_level_keys`), with the other members'. A group's pair follows its changed
    member's window where the group's levels of the year before it come out as published
    (`group_window_starts`, `_windows_kept`): its series then hold the window only, as the
    member's do, and the result names it in `windows`. Such a pair's chain goes on from the
    year before where its means were kept (services/chains.py), else it runs from its start;
    the means each computed chain comes out with are kept for the next release."""
    groups, members_by_group = membership.groups, membership.members_by_group
    fresh_monthly = {
        (s.ref_area, s.activity, s.adjustment): s
        for s in fresh
        if s.freq == "M" and s.transformation == "IX"
    }
    fresh_areas = {c.code for c in countries}
    # Shaped once for every group: a member usually counts in several (MKG and MKG_JP). Other
    # members' levels in full; a changed member's, where harmonized over a window, before it.
    counted = membership.counted
    until: dict[tuple[str, str, str], date | None] = {
        (member, activity, adjustment): None
        for member in sorted(counted - fresh_areas)
        for activity, adjustment in touched
    }
    until.update({key: since for key, since in (windows or {}).items() if key[0] in counted})
    stored = published_monthly_values(until, levels.frame)
    group_windows = {
        group: group_window_starts(members_by_group[group], fresh_areas, touched, windows or {})
        for group in groups
    }
    going_on = chains_from(
        {
            (group, *pair): start
            for group, since in group_windows.items()
            for pair, start in since.items()
        },
        inputs.ref_year,
        inputs,
    )
    chains: dict[GroupPair, h.ChainMeans] = {}
    went_on = 0
    result = GroupSeries()
    for group in sorted(groups):
        members = members_by_group[group]
        per_member: dict[str, list[h.HarmonizedSeries]] = {m: [] for m in members}
        for (area, activity, adjustment), monthly in fresh_monthly.items():
            if area in per_member and (activity, adjustment) in touched:
                per_member[area].append(monthly)
        aggregate = partial(group_aggregated, group, per_member, inputs, chains)
        since = group_windows[group]
        chained_from = {
            (activity, adjustment): start
            for (area, activity, adjustment), start in going_on.items()
            if area == group
        }
        kept: set[tuple[str, str]] = set()
        if chained_from:  # over the levels of the last years only
            series = aggregate(
                values=of_members(stored, members),
                since=since,
                only=set(chained_from),
                chained_from=chained_from,
            )
            kept = _windows_kept(series, {pair: since[pair] for pair in chained_from})
            result.windows.update({(group, *pair): since[pair] for pair in kept})
            result.series += [
                points_from(item, since[pair])
                for item in series
                if (pair := (item.activity, item.adjustment)) in kept
            ]
        rest = touched - kept
        if rest:  # from each chain's start
            if levels.since is not None:
                stored = published_monthly_values(until, levels.whole())
            since = {pair: start for pair, start in since.items() if pair in rest}
            series = aggregate(values=of_members(stored, members), since=since, only=rest)
            windowed = _windows_kept(series, since)
            result.windows.update({(group, *pair): since[pair] for pair in windowed})
            result.series += [
                points_from(item, since[pair]) if pair in windowed else item
                for item in series
                if (pair := (item.activity, item.adjustment)) in windowed or pair not in since
            ]
            if set(since) - windowed:  # a window whose year before is not as published: in full
                result.series += aggregate(
                    values=of_members(stored, members), only=set(since) - windowed
                )
        went_on += len(kept & set(chained_from))
    chains_keep(chains, inputs)
    logger.info("groups: %s of %s pairs chained on from their kept means", went_on, len(chains))
    return result


# A group's current monthly levels over a range per series: an index range each.
_GROUP_LEVELS = """
SELECT k.series_key, o.period_start, o.value, o.status, o.coverage
FROM unnest(%(keys)s::text[], %(starts)s::date[], %(ends)s::date[]) AS k(series_key, since, until)
JOIN indices_publishedseries AS s ON s.series_key = k.series_key
CROSS JOIN LATERAL (
    SELECT o.period_start, o.value, o.status, o.coverage
    FROM indices_publishedobservation AS o
    WHERE o.series_no = s.number AND o.valid_to IS NULL
      AND o.period_start >= k.since AND o.period_start < k.until
    OFFSET 0) AS o
"""


def _windows_kept(
    series: list[h.HarmonizedSeries], since: dict[tuple[str, str], date]
) -> set[tuple[str, str]]:
    """The windowed pairs of a group whose monthly levels of the year before the window, just
    computed, are bit for bit those published (values, statuses, coverage), and at least one:
    as for a member's window (windowed.py), the check that what is published before the
    window is what the whole computation gives today (for a chain gone on from kept means,
    together with the digest of its other inputs, services/chains.py)."""
    checked = {
        (item.activity, item.adjustment): item
        for item in series
        if item.freq == "M"
        and item.transformation == "IX"
        and (item.activity, item.adjustment) in since
    }
    if not checked:
        return set()
    starts = {pair: date(since[pair].year - 1, 1, 1) for pair in checked}
    published: dict[str, list[tuple]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            _GROUP_LEVELS,
            array_params(
                {
                    "keys": pl.Series([item.key for item in checked.values()], dtype=pl.String),
                    "starts": pl.Series(list(starts.values()), dtype=pl.Date),
                    "ends": pl.Series([since[pair] for pair in checked], dtype=pl.Date),
                }
            ),
        )
        for key, period, value, status, coverage in cursor.fetchall():
            published[key].append((period, repr(float(value)), status, coverage))
    kept = set()
    for pair, item in checked.items():
        computed = [
            (point.period, repr(float(point.value)), point.status, point.coverage)
            for point in item.points
            if starts[pair] <= point.period < since[pair]
        ]
        if computed and computed == sorted(published[item.key]):
            kept.add(pair)
    return kept


def _scopes(countries: list[Country], touched: set[tuple[str, str]], standard) -> list[tuple]:
    """(ref_area, activity, adjustment) whose published series this release recomputes in
    full: a series of these no longer produced is withdrawn."""
    areas = [c.code for c in countries]
    areas += sorted({g for c in countries for g in c.aggregates} if countries else group_codes())
    return [(area, activity, adjustment) for area in areas for activity, adjustment in touched]


def _record_unpublishable(submission: Submission, problems: list[h.Unpublishable]) -> None:
    """Series that cannot be harmonized stay unpublished, with a finding that says why."""
    Finding.objects.bulk_create(
        Finding(
            submission=submission,
            rule_id="H2",
            severity="warning",
            series_key=f"{p.freq}.{p.ref_area}.{p.activity}.{p.adjustment}",
            message=f"Not published: {p.reason}",
        )
        for p in problems
    )
    summary = dict(submission.summary)
    summary["unpublished"] = [
        {"series_key": f"{p.freq}.{p.ref_area}.{p.activity}.{p.adjustment}", "reason": p.reason}
        for p in problems
    ]
    Submission.objects.filter(pk=submission.pk).update(summary=summary)
