"""What a data query returns, read from the published store only (so never anything under
embargo): data sets of series of observations, produced lazily so writers can stream.

- default: current values, one data set;
- `asOf`: values as they stood at that instant (series published by then);
- `includeHistory`: every vintage, one data set per validity interval (validFrom/validTo);
- `updatedAfter`: what changed since, a "Replace" data set and a "Delete" data set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from countries.standard import load_definition
from indices.disseminate.keys import DIMENSION_IDS, DIMENSIONS
from indices.disseminate.sdmx.errors import no_results
from indices.disseminate.sdmx.query import DataQuery
from indices.disseminate.selectors.published import (
    changes_since,
    observations_as_of,
    observations_current,
    observations_history,
    series_list,
)
from indices.publish.harmonization import coverage_shown
from indices.publish.harmonization.derive import coverage_decimals
from indices.publish.models import PublishedSeries

SERIES_ATTRIBUTES = (
    "UNIT_MEASURE",
    "UNIT_MULT",
    "DECIMALS",
    "REF_YEAR",
    "NAT_BASE_PER",
    "NAT_CLASSIF",
    "COMPILING_ORG",
    "COVERAGE",
)
_COLUMNS = (
    "series_key",
    "period_start",
    "time_period",
    "value",
    "status",
    "valid_from",
    "valid_to",
    "comment",  # "" where the agency gave none: writers then show no COMMENT attribute
)


@dataclass(frozen=True)
class Obs:
    time_period: str
    value: str | None  # rounded for output; None in a "Delete" data set
    status: str
    comment: str = ""


@dataclass(frozen=True)
class SeriesData:
    series: PublishedSeries
    observations: list[Obs]

    @property
    def key(self) -> list[tuple[str, str]]:
        return [
            (dim_id, getattr(self.series, name))
            for dim_id, name in zip(DIMENSION_IDS, DIMENSIONS, strict=True)
        ]

    @property
    def attributes(self) -> list[tuple[str, str]]:
        values = self.series.attributes or {}
        return [
            (name, _coverage_text(values[name]) if name == "COVERAGE" else _text(values[name]))
            for name in SERIES_ATTRIBUTES
            if values.get(name) not in (None, "")
        ]


@dataclass
class DataSetBlock:
    action: str  # Information, Replace or Delete
    series: Iterator[SeriesData]
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    extra: dict = field(default_factory=dict)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _coverage_text(value: object) -> str:
    """COVERAGE as STANDARD 1.1 publishes it everywhere: one decimal, rounded down."""
    if not isinstance(value, int | float):
        return str(value)
    return f"{coverage_shown(float(value)):.{coverage_decimals()}f}"


def decimals(series: PublishedSeries) -> int:
    publication = load_definition().thresholds["publication"]
    try:
        return int(series.attributes["DECIMALS"])
    except (KeyError, TypeError, ValueError):
        is_level = series.transformation == "IX"
        return publication["decimals_level" if is_level else "decimals_growth"]


def rounded(series: PublishedSeries, value: float | None) -> str | None:
    return None if value is None else f"{value:.{decimals(series)}f}"


def _trim(observations: list[Obs], query: DataQuery) -> list[Obs]:
    if query.first_n is None and query.last_n is None:
        return observations
    keep: set[int] = set()
    if query.first_n is not None:
        keep.update(range(min(query.first_n, len(observations))))
    if query.last_n is not None:
        keep.update(range(max(len(observations) - query.last_n, 0), len(observations)))
    return [obs for index, obs in enumerate(observations) if index in keep]


def _series_of(
    rows: Iterable[tuple], series: dict[str, PublishedSeries], query: DataQuery
) -> Iterator[SeriesData]:
    """Rows ordered by series then period -> one SeriesData per series (one buffered at once)."""
    for key, group in groupby(rows, key=lambda row: row[0]):
        item = series[key]
        observations = [Obs(row[2], rounded(item, row[3]), row[4], row[7]) for row in group]
        yield SeriesData(item, _trim(observations, query))


def data_sets(query: DataQuery) -> Iterable[DataSetBlock]:
    """The data sets answering `query`; raises 404 (SDMX 100) when there is nothing."""
    catalog = series_list(**query.key.as_filters())
    if query.as_of is not None:
        catalog = catalog.filter(first_published_at__lte=query.as_of)
    series = {item.series_key: item for item in catalog}
    if not series:
        raise no_results("No series match the key.")
    if query.updated_after is not None:
        return _changes(query, series, since=query.updated_after)
    period = {"start": query.start, "end": query.end}
    if query.include_history:
        rows = observations_history(series, **period)
        if query.as_of is not None:
            rows = rows.filter(valid_from__lte=query.as_of)
        if not rows.exists():
            raise no_results()
        ordered = rows.order_by("valid_from", "valid_to", "series__series_key", "period_start")
        return _vintages(ordered.values_list(*_COLUMNS).iterator(chunk_size=2000), series, query)
    if query.as_of is not None:
        rows = observations_as_of(series, query.as_of, **period)
    else:
        rows = observations_current(series, **period)
    if not rows.exists():
        raise no_results()
    stream = rows.values_list(*_COLUMNS).iterator(chunk_size=2000)
    return [DataSetBlock("Information", _series_of(stream, series, query))]


def _vintages(
    rows: Iterator[tuple], series: dict[str, PublishedSeries], query: DataQuery
) -> Iterator[DataSetBlock]:
    for (valid_from, valid_to), group in groupby(rows, key=lambda row: (row[5], row[6])):
        yield DataSetBlock("Information", _series_of(group, series, query), valid_from, valid_to)


def _changes(
    query: DataQuery, series: dict[str, PublishedSeries], *, since: datetime
) -> list[DataSetBlock]:
    changes = [
        c
        for c in changes_since(since, series)
        if _in_period(c.period_start, query.start, query.end)
    ]
    if not changes:
        raise no_results("Nothing changed in the matching series since updatedAfter.")
    blocks = []
    for action, kind in (("Replace", "updated"), ("Delete", "deleted")):
        rows = sorted(
            (
                (
                    c.series_key,
                    c.period_start,
                    c.time_period,
                    c.value,
                    c.status,
                    c.at,
                    None,
                    c.comment,
                )
                for c in changes
                if c.action == kind
            ),
            key=lambda row: (row[0], row[1]),
        )
        if rows:
            blocks.append(DataSetBlock(action, _series_of(rows, series, query)))
    return blocks


def _in_period(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)
