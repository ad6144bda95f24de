"""Harmonizing a release over a window of recent periods, where that gives exactly the values of
the full recomputation (docs/methodology.md, "Windowed recomputation").

A release that changes only recent periods of an (activity, adjustment) pair changes only the
harmonized values from the start of the year of its earliest period on (`since`), provided
the constants of the whole history stay as they were: the reference-year mean (H2), the link
ratios and break positions (H3), the pair's components and weights (H1). Then H1-H5 run over
a reduced input that holds every stored value of the pair's series from the year before
`since` (for the growth over 12 months and the annual growth) and of the reference year,
which is enough for every harmonized value from `since` on to come out bit for bit as the full
recomputation gives it. A pair for which any condition cannot be shown from what is read goes
through the full recomputation (publication.py).

The conditions, per pair (all read in one statement from the national store's own index,
and one from the published store):

- every period the submission gives for it is after the reference year;
- each of its series: one (activity, adjustment, ref_area) over every value read; the newest
  base year with a value read has a value in the reference year's first period (so at or
  before the window's start), so that the window and the reference year are on that base (no
  link ratio enters them) and that base was there before the release; every stored value from
  the submission's first period on is of that base year, and the submission gives no other (a
  release that adds, revises or withdraws values of another base, or values that overlap
  another base, could change a link). A base year with no value read does not enter the
  window: an older one only supplies history before the newest base's first value (H3), and a
  newer one whose values all lie before the window would have taken the series over from its
  first value on, leaving the published year before `since` empty, which the last condition
  below refuses;
- H1-H5 over the reduced input find nothing unpublishable;
- no national code of its activity has another ISIC code or weight in another concordance
  version (checked by the caller, publication.py: a remapped code's older values stay in its
  former pair, and new weights change a combination's whole history);
- the year before `since`, recomputed, is bit for bit the current published one (values,
  statuses, comments) and holds at least one value: the check that the published history is
  what the full recomputation gives today (the reference year changed, or a component's
  history, since it was computed otherwise).

What it rests on: the published values before `since` are those the full recomputation of the
same stored values gives, as every release of the pair leaves them. Two things change them
without a release of the pair and are not seen here: a new version of the harmonization code
(recompute after such a deploy), and values of the country's series written other than by a
release. The aggregates get the member's published history before `since` (as they get every
other member's), where the full path hands them its fresh floats: the same bits, except after
a revision that moved a link ratio by less than the vintage tolerance, which left the published
history as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from django.db import connection

from indices.national.copy_out import array_params, copied_out
from indices.publish import harmonization as h
from indices.publish.harmonization.derive import series_attributes
from indices.publish.harmonization.periods import PER_YEAR
from indices.publish.harmonization.statuses import RANK
from indices.publish.models import PublishedSeries

# False: every pair takes the full recomputation (the tests compare both ways).
ENABLED = True

Pair = tuple[str, str]  # (activity, adjustment)


@dataclass(frozen=True)
class Given:
    """What a submission gives for one pair: its first period, and the base years it gives
    for each of its series."""

    first: date
    # series_id -> the lowest and highest base year of its rows in the submission
    bases: dict[str, tuple[int, int]]


@dataclass
class Windowed:
    """The pairs harmonized over a window: their series (points from `since` on; a series
    with points only before carries none, so that its attributes are kept current) and their
    windows (the aggregates read the published levels before `since`, publication.py)."""

    series: list[h.HarmonizedSeries] = field(default_factory=list)
    since: dict[Pair, date] = field(default_factory=dict)


def windowed_harmonize(
    *,
    country_code: str,
    agencies: list[str],
    given: dict[Pair, Given],
    weights: dict[str, float | None],
    ref_year: int,
) -> Windowed:
    """Harmonize the pairs of `given` that qualify (module docstring); the others are left for
    the full recomputation (not in the result's `since`)."""
    result = Windowed()
    if not ENABLED or not agencies:
        return result
    windows = {
        pair: (date(item.first.year - 1, 1, 1), date(item.first.year, 1, 1))
        for pair, item in given.items()
        if item.first.year > ref_year
    }
    if not windows:
        return result
    stored = _reduced_rows(
        agencies, min(start for start, _ in windows.values()), ref_year, list(windows)
    )
    mixed = _mixed_series(stored)
    stored = stored.filter(pl.col("ref_area") == country_code)
    qualifying = _qualifying(stored, windows, given, mixed, ref_year)
    # The qualifying pairs' series read in one pass, then each pair harmonized on its own: a
    # pair with a series that cannot be published is left to the full recomputation.
    pairs = pl.DataFrame(
        list(qualifying), schema={"activity": pl.String, "adjustment": pl.String}, orient="row"
    )
    by_pair: dict[Pair, list[h.NationalSeries]] = defaultdict(list)
    for national in national_series(
        stored.join(pairs, on=["activity", "adjustment"], how="semi", maintain_order="left"),
        country_code,
        weights,
    ):
        by_pair[national.activity, national.adjustment].append(national)
    computed: dict[Pair, list[h.HarmonizedSeries]] = {}
    for pair in windows:
        if pair not in by_pair:
            continue
        series, problems = h.harmonize_member(series=by_pair[pair], ref_year=ref_year)
        if not problems:
            computed[pair] = series
    if not computed:
        return result
    published = _published(country_code, {pair: windows[pair] for pair in computed}, computed)
    for pair, series in computed.items():
        start, since = windows[pair]
        levels = _base_levels(series)
        if levels is None:
            continue
        if not _same(_points_between(levels, start, since), published.check[pair]):
            continue
        result.since[pair] = since
        produced = set()
        for item in series:
            produced.add(item.key)
            result.series.append(points_from(item, since))
        for key in published.earlier[pair] - produced:
            result.series.append(_empty(key, levels))
    return result


# Every stored value from `start` on and of the reference year of the agencies' series that have
# one in the given pairs ("activity:adjustment"), through the store's primary key (series_no,
# period_start, base_year): two bounded range scans per series, and a probe of each that stops
# at its first value of a given pair. Never a scan of the whole store, nor of a series' whole
# history. A series is read whole or not at all: one whose values name two pairs, one of them
# given, must be seen as such (`_mixed_series`); one with no value of a given pair harmonizes
# none of them. A correction of one series reads its pair's series only, not the country's.
_REDUCED = """
SELECT r.*
FROM indices_nationalseries AS s
CROSS JOIN LATERAL (
    (SELECT {columns} FROM indices_nationalobservation AS n
     WHERE n.series_no = s.id AND n.period_start >= %(start)s)
    UNION ALL
    (SELECT {columns} FROM indices_nationalobservation AS n
     WHERE n.series_no = s.id AND n.period_start BETWEEN %(ref_first)s AND %(ref_last)s
       AND n.period_start < %(start)s)
) AS r
WHERE s.agency_id = ANY(%(agencies)s::text[]) AND s.adjustment = ANY(%(adjustments)s::text[])
  AND (EXISTS (SELECT FROM indices_nationalobservation AS n
               WHERE n.series_no = s.id AND n.period_start >= %(start)s
                 AND n.activity || ':' || s.adjustment = ANY(%(pairs)s::text[]))
       OR EXISTS (SELECT FROM indices_nationalobservation AS n
                  WHERE n.series_no = s.id
                    AND n.period_start BETWEEN %(ref_first)s AND %(ref_last)s
                    AND n.activity || ':' || s.adjustment = ANY(%(pairs)s::text[])))
"""

# The stored observations harmonization reads (here and publication.py's full path): the
# series' key, then NationalObservation's fields in its order.
SERIES_KEY = ["series_id", "freq", "activity", "nat_code", "adjustment"]
OBSERVED = ["period_start", "value", "status", "base_year", "comment"]
STORED_SCHEMA = {
    **dict.fromkeys(SERIES_KEY, pl.String),
    "period_start": pl.Date,
    "value": pl.Float64,
    "status": pl.String,
    "base_year": pl.Int64,
    "comment": pl.String,
}
# The order harmonization reads them in: series by series, each base year's values in order.
STORED_ORDER = ["series_id", "base_year", "period_start"]
# What a read of the store selects (s the series, n the value): each value's series by its
# number, then the value's own columns; the series' texts are read once per series after
# (`stored_read`).
VALUE_COLUMNS = (
    "s.id AS series_no, n.activity, n.period_start, n.value, n.status, n.base_year, n.comment"
)
_VALUE_SCHEMA = {
    "series_no": pl.Int32,
    **{name: STORED_SCHEMA[name] for name in ("activity", *OBSERVED)},
}
_SERIES_READ = "SELECT id, {columns} FROM indices_nationalseries WHERE id = ANY(%(numbers)s::int[])"
_REDUCED = _REDUCED.replace("{columns}", VALUE_COLUMNS)
SCHEMA = {**STORED_SCHEMA, "ref_area": pl.String}


def stored_read(sql: str, params, schema: dict) -> pl.DataFrame:
    """The rows of a read of the store (`sql` selects VALUE_COLUMNS) with their series' columns,
    read once per series: `schema`'s columns, in its order. Written out on every row, the
    series' texts were a fifth of PostgreSQL's work on a read: the window of a monthly update,
    160,000 rows, took it 0.117 s to write, 0.093 s without them."""
    values = copied_out(sql, params, _VALUE_SCHEMA)
    named = [name for name in schema if name not in _VALUE_SCHEMA]
    series = copied_out(
        _SERIES_READ.format(columns=", ".join(named)),
        {"numbers": values["series_no"].unique()},
        {"series_no": pl.Int32, **{name: schema[name] for name in named}},
    )
    return values.join(series, on="series_no", maintain_order="left").select(list(schema))


def pair_params(pairs: list[Pair]) -> dict[str, list[str]]:
    """The parameters that name `pairs` in a read of the store: their adjustments, and each
    pair as "activity:adjustment" (the adjustment code is one letter, so the text names one
    pair whatever the activity's code), as `n.activity || ':' || s.adjustment` matches it."""
    return {
        "adjustments": sorted({adjustment for _, adjustment in pairs}),
        "pairs": [f"{activity}:{adjustment}" for activity, adjustment in pairs],
    }


def _reduced_rows(
    agencies: list[str], start: date, ref_year: int, pairs: list[Pair]
) -> pl.DataFrame:
    params = {
        "agencies": agencies,
        "start": start,
        "ref_first": date(ref_year, 1, 1),
        "ref_last": date(ref_year, 12, 31),
        **pair_params(pairs),
    }
    # In the order the full recomputation reads them (sorted here: the statement leaves them
    # series by series, each in two parts).
    return stored_read(_REDUCED, params, SCHEMA).sort(STORED_ORDER)


def _mixed_series(stored: pl.DataFrame) -> set[str]:
    """Series whose values read do not all name one activity, adjustment and ref_area (a
    national code mapped anew by a later concordance): which pair holds which of their values
    is not known from a part of them."""
    counted = stored.group_by("series_id").agg(
        pl.struct("activity", "adjustment", "ref_area").n_unique().alias("kinds")
    )
    return set(counted.filter(pl.col("kinds") > 1)["series_id"].to_list())


def _qualifying(
    stored: pl.DataFrame,
    windows: dict[Pair, tuple[date, date]],
    given: dict[Pair, Given],
    mixed: set[str],
    ref_year: int,
) -> set[Pair]:
    """The pairs whose every series meets the conditions of the module docstring, from one
    summary per series of the rows read (its newest base year with a value, that base's first
    value, the base years of its values from the submission's first period on)."""
    firsts = pl.DataFrame(
        {
            "activity": [activity for activity, _ in windows],
            "adjustment": [adjustment for _, adjustment in windows],
            "first": [given[pair].first for pair in windows],
            "needed": [min(start, date(ref_year, 1, 1)) for start, _ in windows.values()],
        },
        schema={
            "activity": pl.String,
            "adjustment": pl.String,
            "first": pl.Date,
            "needed": pl.Date,
        },
    )
    rows = stored.join(firsts, on=["activity", "adjustment"])
    valued = pl.col("value").is_not_null()
    newest = pl.col("base_year").filter(valued).max().over("series_id")
    summary = (
        rows.with_columns(newest.alias("newest"))
        .group_by("series_id", "activity", "adjustment")
        .agg(
            pl.col("newest").first(),
            pl.col("period_start")
            .filter(valued & (pl.col("base_year") == pl.col("newest")))
            .min()
            .alias("newest_first"),
            pl.col("needed").first(),
            (
                (pl.col("period_start") >= pl.col("first"))
                & (pl.col("base_year") != pl.col("newest"))
            )
            .any()
            .alias("other_base_recent"),
        )
    )
    failed: set[Pair] = set()
    found: dict[Pair, set[str]] = {pair: set() for pair in windows}
    for series_id, activity, adjustment, newest_base, first, needed, other in summary.iter_rows():
        pair = (activity, adjustment)
        found[pair].add(series_id)
        bases = given[pair].bases.get(series_id)
        if (
            series_id in mixed
            or newest_base is None  # no value at all
            or first > needed
            or other
            or (bases is not None and bases != (newest_base, newest_base))
        ):
            failed.add(pair)
    return {
        pair
        for pair in windows
        if pair not in failed and found[pair] and set(given[pair].bases) <= found[pair]
    }


def national_series(
    frame: pl.DataFrame, country_code: str, weights: dict[str, float | None]
) -> list[h.NationalSeries]:
    """Stored rows (SERIES_KEY, then OBSERVED) as NationalSeries, one per key, in the order
    the keys first come, their values as columns (ObservationColumns: the rows without a value
    left out, as H3 leaves them)."""
    if frame.is_empty():
        return []
    rows = frame.select(
        *SERIES_KEY,
        # The month's index (periods.py); a quarter's or a year's is it divided, below.
        (
            pl.col("period_start").dt.year().cast(pl.Int64) * 12
            + pl.col("period_start").dt.month().cast(pl.Int64)
            - 1
        ).alias("month"),
        pl.col("value").is_not_null().alias("valued"),
        "value",
        pl.col("status").fill_null(""),
        pl.col("status")
        .replace_strict(RANK, default=0, return_dtype=pl.Int8)
        .fill_null(0)
        .alias("rank"),
        "base_year",
        pl.col("comment").fill_null(""),
    )
    # The rows come series by series: each key's rows are a run of consecutive rows, or a few
    # (a series whose national code a later concordance mapped anew).
    starts = np.flatnonzero(
        rows.select(
            pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in SERIES_KEY)
        ).to_series()
    ).tolist()
    runs: dict[tuple, list[tuple[int, int]]] = {}
    ends = [*starts[1:], rows.height]
    keys = rows[starts].select(SERIES_KEY).iter_rows()
    for key, start, end in zip(keys, starts, ends, strict=True):
        runs.setdefault(key, []).append((start, end))
    valued = rows["valued"].to_numpy()
    month, value, rank, base_year = (
        rows[column].to_numpy() for column in ("month", "value", "rank", "base_year")
    )
    status, comment = (_shared_strings(rows[column]) for column in ("status", "comment"))
    result = []
    for (_, freq, activity, nat_code, adjustment), spans in runs.items():
        taken = _valued_rows(spans, valued)
        observations = h.ObservationColumns(
            index=month[taken] // (12 // PER_YEAR.get(freq, 1)),
            value=value[taken],
            status=status[taken],
            rank=rank[taken],
            base_year=base_year[taken],
            comment=comment[taken],
        )
        result.append(
            h.NationalSeries(
                freq=freq,
                ref_area=country_code,
                activity=activity,
                nat_code=nat_code,
                adjustment=adjustment,
                observations=observations,
                weight=weights.get(nat_code) if nat_code else None,
            )
        )
    return result


def _shared_strings(values: pl.Series) -> np.ndarray:
    """A text column (no NULL) as a numpy object array in which equal texts are one str: a
    str apiece took about 60 bytes a row, 90 MB a column for the largest upload, for a few
    distinct statuses and comments."""
    distinct = values.unique().sort()
    codes = values.cast(pl.Enum(distinct)).to_physical().to_numpy()
    return np.array(distinct.to_list(), dtype=object)[codes]


def _valued_rows(spans: list[tuple[int, int]], valued: np.ndarray) -> slice | np.ndarray:
    """The rows of a key's runs [start, end) that hold a value: a slice, which copies nothing,
    in the common case of one run of values only."""
    if len(spans) == 1:
        start, end = spans[0]
        if valued[start:end].all():
            return slice(start, end)
    rows = np.concatenate([np.arange(start, end) for start, end in spans])
    return rows[valued[rows]]


def _base_levels(series: list[h.HarmonizedSeries]) -> h.HarmonizedSeries | None:
    """The IX series of the frequency the pair is harmonized from (M, else Q)."""
    levels = {s.freq: s for s in series if s.transformation == "IX" and s.freq in ("M", "Q")}
    return levels.get("M") or levels.get("Q")


def _points_between(series: h.HarmonizedSeries, start: date, until: date) -> list[tuple]:
    return [
        (point.period, repr(float(point.value)), point.status, point.comment)
        for point in series.points
        if start <= point.period < until
    ]


def _same(computed: list[tuple], published: list[tuple]) -> bool:
    return bool(computed) and computed == published


@dataclass
class _Published:
    check: dict[Pair, list[tuple]]  # the base IX series' current values in the year before
    earlier: dict[Pair, set[str]]  # keys with a current value before the window


# Per key: its current values in [since, until), at most `most` of them (NULL: all).
_PUBLISHED = """
SELECT k.series_key, p.period_start, p.value, p.status, p.comment
FROM unnest(%(keys)s::text[], %(since)s::date[], %(until)s::date[], %(most)s::int[])
    AS k(series_key, since, until, most)
JOIN indices_publishedseries AS s ON s.series_key = k.series_key
CROSS JOIN LATERAL (
    SELECT o.period_start, o.value, o.status, o.comment
    FROM indices_publishedobservation AS o
    WHERE o.series_no = s.number AND o.valid_to IS NULL
      AND o.period_start >= k.since AND o.period_start < k.until
    ORDER BY o.period_start
    LIMIT k.most) AS p
"""


_PUBLISHED_ROWS = {"keys": pl.String, "since": pl.Date, "until": pl.Date, "most": pl.Int32}


def _published(
    country_code: str,
    windows: dict[Pair, tuple[date, date]],
    computed: dict[Pair, list[h.HarmonizedSeries]],
) -> _Published:
    """What the published store holds of the pairs before their windows, in one statement."""
    known = PublishedSeries.objects.filter(
        ref_area=country_code, activity__in={activity for activity, _ in windows}
    ).values_list("series_key", "adjustment", "activity")
    keys: dict[str, Pair] = {
        key: (activity, adjustment)
        for key, adjustment, activity in known
        if (activity, adjustment) in windows
    }
    rows: list[tuple[str, date, date, int | None]] = []
    check_keys = {}
    for key, pair in keys.items():
        start, since = windows[pair]
        rows.append((key, date.min, since, 1))  # is there a value before the window?
        levels = _base_levels(computed[pair])
        if levels is not None and key == levels.key:
            check_keys[key] = pair
            rows.append((key, start, since, None))
    found: dict[str, list[tuple]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            _PUBLISHED,
            array_params(pl.DataFrame(rows, schema=_PUBLISHED_ROWS, orient="row").to_dict()),
        )
        for key, period, value, status, comment in cursor.fetchall():
            found[key].append((period, value, status, comment))
    result = _Published(
        check={pair: [] for pair in windows},
        earlier={pair: set() for pair in windows},
    )
    for key, pair in keys.items():
        values = sorted(set(found.get(key, ())), key=lambda row: row[0])
        if not values:
            continue
        start, since = windows[pair]
        result.earlier[pair].add(key)
        if key in check_keys:
            result.check[pair] = [
                (period, repr(float(value)), status, comment)
                for period, value, status, comment in values
                if period >= start
            ]
    return result


def points_from(item: h.HarmonizedSeries, since: date) -> h.HarmonizedSeries:
    """The series with its points from `since` on only (its attributes as computed)."""
    return _replace_points(item, [p for p in item.points if p.period >= since])


def _replace_points(item: h.HarmonizedSeries, points: Iterable[h.Point]) -> h.HarmonizedSeries:
    return h.HarmonizedSeries(
        freq=item.freq,
        ref_area=item.ref_area,
        activity=item.activity,
        adjustment=item.adjustment,
        transformation=item.transformation,
        points=tuple(points),
        attributes=item.attributes,
    )


def _empty(key: str, levels: h.HarmonizedSeries) -> h.HarmonizedSeries:
    """A series of the pair the full recomputation gives (it has published values before the
    window) but with no value in the window: no point, the attributes it would get."""
    freq, ref_area, activity, adjustment, transformation = key.split(".")
    group = {
        name: value
        for name, value in levels.attributes.items()
        if name not in ("UNIT_MEASURE", "UNIT_MULT", "DECIMALS")
    }
    return h.HarmonizedSeries(
        freq=freq,
        ref_area=ref_area,
        activity=activity,
        adjustment=adjustment,
        transformation=transformation,
        points=(),
        attributes=series_attributes(transformation, group),
    )
