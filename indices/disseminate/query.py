"""The data queries of the read API in SDMX-REST spelling: a series key path, dimension
filters, periods (startPeriod, endPeriod) and the modes asOf, includeHistory, updatedAfter and
lastNObservations."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from indices.disseminate.keys import DIMENSIONS, KeyFilter, parse_key
from ipi_exchange.errors import ApplicationError
from ipi_exchange.http.params import (
    CODE,
    invalid,
    optional,
    parse_bool,
    parse_codes,
    parse_instant,
    parse_positive,
    reject_unknown,
)

PERIOD = re.compile(r"^([0-9]{4})(?:-(?:Q([1-4])|S([12])|([0-9]{2}))(?:-([0-9]{2}))?)?$")


def parse_key_path(key: str) -> KeyFilter:
    try:
        parsed = parse_key(key if key.strip().lower() == "all" else key.upper())
    except ApplicationError as error:
        raise invalid("key", error.message, "invalid_key") from None
    for dimension, codes in parsed.as_filters().items():
        for code in codes:
            if not CODE.match(code):
                raise invalid("key", f"{code!r} is not a {dimension} code.", "invalid_key")
    return parsed


def dimension_filter(params: Mapping[str, str]) -> KeyFilter:
    """`freq=M&ref_area=TH,VN&...`: each dimension's codes, comma-separated."""
    return KeyFilter(
        **{name: parse_codes(name, params[name]) for name in DIMENSIONS if params.get(name)}
    )


def period_bounds(name: str, text: str) -> tuple[date, date]:
    """First and last day of an SDMX period: 2024, 2024-Q1, 2024-S1, 2024-03, 2024-03-15."""
    match = PERIOD.match(text.strip())
    if not match:
        raise invalid(name, "Use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.", "invalid_period")
    year, quarter, half, month, day = match.groups()
    y = int(year)
    try:
        if day is not None:
            if month is None:
                raise ValueError
            single = date(y, int(month), int(day))
            return single, single
        if month is not None:
            first_month, months = int(month), 1
        elif quarter is not None:
            first_month, months = 3 * int(quarter) - 2, 3
        elif half is not None:
            first_month, months = 6 * int(half) - 5, 6
        else:
            first_month, months = 1, 12
        last_month = first_month + months - 1
        return date(y, first_month, 1), date(y, last_month, calendar.monthrange(y, last_month)[1])
    except ValueError:
        raise invalid(
            name,
            f"{text!r} is not a real period (month 01-12, quarter 1-4, a day of that month); "
            "use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.",
            "invalid_period",
        ) from None


@dataclass(frozen=True)
class PeriodRange:
    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, params: Mapping[str, str]) -> PeriodRange:
        start = (
            period_bounds("startPeriod", params["startPeriod"])[0]
            if params.get("startPeriod")
            else None
        )
        end = (
            period_bounds("endPeriod", params["endPeriod"])[1] if params.get("endPeriod") else None
        )
        if start and end and start > end:
            raise invalid("endPeriod", "endPeriod is before startPeriod.", "invalid_range")
        return cls(start, end)


DATA_PARAMETERS = (
    "startPeriod",
    "endPeriod",
    "asOf",
    "includeHistory",
    "updatedAfter",
    "lastNObservations",
)


@dataclass(frozen=True)
class DataQuery:
    key: KeyFilter
    periods: PeriodRange = field(default_factory=PeriodRange)
    as_of: datetime | None = None
    include_history: bool = False
    updated_after: datetime | None = None
    last_n: int | None = None

    @classmethod
    def of(cls, key: str, params: Mapping[str, str]) -> DataQuery:
        reject_unknown(params, DATA_PARAMETERS)
        query = cls(
            key=parse_key_path(key),
            periods=PeriodRange.of(params),
            as_of=optional(parse_instant, "asOf", params),
            include_history=optional(parse_bool, "includeHistory", params) or False,
            updated_after=optional(parse_instant, "updatedAfter", params),
            last_n=optional(parse_positive, "lastNObservations", params),
        )
        modes = [
            name
            for name, on in (
                ("asOf", query.as_of),
                ("includeHistory", query.include_history),
                ("updatedAfter", query.updated_after),
            )
            if on
        ]
        if len(modes) > 1:
            raise invalid(
                modes[1], f"{' and '.join(modes)} cannot be combined.", "conflicting_parameters"
            )
        return query
