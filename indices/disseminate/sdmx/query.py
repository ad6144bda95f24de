"""Parsing SDMX-REST 1.5 data query paths and parameters into a `DataQuery`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from indices.disseminate.keys import KeyFilter, parse_key
from indices.disseminate.sdmx.errors import SdmxError, no_results, syntax_error
from indices.disseminate.sdmx.xmlutil import AGENCY, FLOW_ID, VERSION
from ipi_exchange.errors import ApplicationError

DETAILS = ("full", "dataonly", "serieskeysonly", "nodata")
ANY = {"all", "*", "latest", "~"}
_PERIOD = re.compile(
    r"^(?P<year>[0-9]{4})(?:-(?:(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?|Q(?P<quarter>[1-4])"
    r"|S(?P<half>[12])|M(?P<m>[0-9]{2})))?$"
)


@dataclass(frozen=True)
class DataQuery:
    key: KeyFilter
    start: date | None = None
    end: date | None = None
    updated_after: datetime | None = None
    as_of: datetime | None = None
    include_history: bool = False
    first_n: int | None = None
    last_n: int | None = None
    dimension_at_observation: str = "TIME_PERIOD"
    detail: str = "full"


def check_flow_ref(flow_ref: str) -> None:
    """`DF_IPI`, `MKG,DF_IPI` or `MKG,DF_IPI,1.0` (`all`/`latest` allowed); other flows: 404."""
    parts = [p.strip() for p in flow_ref.split(",")]
    if len(parts) > 3 or not all(parts):
        raise syntax_error(
            f"The flowRef {flow_ref!r} is malformed: use DF_IPI, {AGENCY},DF_IPI or "
            f"{AGENCY},{FLOW_ID},{VERSION}."
        )
    if len(parts) == 1:
        parts = [AGENCY, *parts, VERSION]
    elif len(parts) == 2:
        parts.append(VERSION)
    agency, flow, version = parts
    if agency not in {AGENCY, *ANY} or flow != FLOW_ID or version not in {VERSION, *ANY}:
        raise no_results(f"No dataflow {flow_ref!r}; there is {AGENCY},{FLOW_ID},{VERSION}.")


def check_provider(provider: str | None) -> None:
    if provider and provider not in {"all", "*"} and provider.split(",")[-1] != AGENCY:
        raise no_results(f"No data provider {provider!r}.")


def key_filter(key: str | None) -> KeyFilter:
    try:
        return parse_key(key)
    except ApplicationError as error:
        raise syntax_error(error.message) from None


def period_bounds(value: str, *, end: bool) -> date:
    """First (or, for `end`, last) day of `2021`, `2021-06`, `2021-Q2`, `2021-S1`, `2021-06-30`."""
    match = _PERIOD.match(value.strip())
    if not match:
        raise syntax_error(
            f"The period {value!r} is not YYYY, YYYY-MM, YYYY-Qn, YYYY-Sn or YYYY-MM-DD."
        )
    year = int(match["year"])
    first, last = 1, 12
    if match["month"] or match["m"]:
        first = last = int(match["month"] or match["m"])
    elif match["quarter"]:
        last = int(match["quarter"]) * 3
        first = last - 2
    elif match["half"]:
        last = int(match["half"]) * 6
        first = last - 5
    try:
        if match["day"]:
            return date(year, first, int(match["day"]))
        return date(year, last, calendar.monthrange(year, last)[1]) if end else date(year, first, 1)
    except ValueError:
        raise syntax_error(f"The period {value!r} is not a date.") from None


def instant(name: str, value: str) -> datetime:
    """An ISO 8601 instant; a `+hh:mm` offset sent unencoded arrives as a space."""
    value = value.strip()
    value = re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", value)
    try:
        parsed = parse_datetime(value)
        if parsed is None and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            parsed = datetime.combine(date.fromisoformat(value), time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise syntax_error(f"{name}={value!r} is not an ISO 8601 instant (2024-05-01T00:00:00Z).")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _positive(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
        raise syntax_error(f"{name} must be a positive integer, not {value!r}.")
    return int(value)


def _boolean(name: str, value: str | None) -> bool:
    if value is None or value.lower() in {"false", "0"}:
        return False
    if value.lower() in {"true", "1"}:
        return True
    raise syntax_error(f"{name} must be true or false, not {value!r}.")


def data_query(key: str | None, params: QueryDict) -> DataQuery:
    start = params.get("startPeriod")
    end = params.get("endPeriod")
    detail = params.get("detail", "full")
    if detail not in DETAILS:
        raise syntax_error(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}.")
    dim_at_obs = params.get("dimensionAtObservation") or "TIME_PERIOD"
    if dim_at_obs not in {"TIME_PERIOD", "AllDimensions"}:
        raise SdmxError(
            501, f"dimensionAtObservation={dim_at_obs!r}: only TIME_PERIOD and AllDimensions."
        )
    updated_after, as_of = params.get("updatedAfter"), params.get("asOf")
    query = DataQuery(
        key=key_filter(key),
        start=period_bounds(start, end=False) if start else None,
        end=period_bounds(end, end=True) if end else None,
        updated_after=instant("updatedAfter", updated_after) if updated_after else None,
        as_of=instant("asOf", as_of) if as_of else None,
        include_history=_boolean("includeHistory", params.get("includeHistory")),
        first_n=_positive("firstNObservations", params.get("firstNObservations")),
        last_n=_positive("lastNObservations", params.get("lastNObservations")),
        dimension_at_observation=dim_at_obs,
        detail=detail,
    )
    if query.start and query.end and query.start > query.end:
        raise SdmxError(150, "startPeriod is after endPeriod.")
    return query
