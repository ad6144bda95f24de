"""Query parameters in SDMX-REST spelling (startPeriod, asOf, ...), parsed strictly: a
malformed value is a 400 naming the field, and so is an unknown parameter (a typo such as
`startperiod` would otherwise silently return everything)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TypeVar

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ErrorDetail, ValidationError

from indices.selectors.keys import DIMENSIONS, KeyFilter, parse_key
from ipi_exchange.api.pagination import whole_number
from ipi_exchange.errors import ApplicationError

T = TypeVar("T")

# Added by DRF (?format=csv) or by pagination; never an error.
COMMON = frozenset({"format"})
PAGINATION = frozenset({"limit", "offset"})
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,9}$")
PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|S([12])|(\d{2}))(?:-(\d{2}))?)?$")
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def invalid(name: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({name: [ErrorDetail(message, code=code)]})


def reject_unknown(params: Mapping[str, str], allowed: Iterable[str]) -> None:
    known = COMMON | set(allowed)
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise ValidationError(
            {
                name: [
                    ErrorDetail(
                        f"Unknown parameter; known ones: {', '.join(sorted(known))}.",
                        code="unknown_parameter",
                    )
                ]
                for name in unknown
            }
        )


def parse_codes(name: str, text: str) -> tuple[str, ...]:
    """Codes joined by commas or `+` (which a query string may deliver as a space)."""
    codes = tuple(code for code in re.split(r"[,+ ]", text.strip().upper()) if code)
    for code in codes:
        if not CODE.match(code):
            raise invalid(name, f"{code!r} is not a code.", "invalid_code")
    return codes


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


def parse_instant(name: str, text: str) -> datetime:
    """ISO 8601; a date means its midnight UTC, an instant without offset is UTC."""
    # An unencoded `+07:00` arrives as ` 07:00` (a query string's `+` is a space).
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text.strip())
    try:
        parsed = parse_datetime(text)
        if parsed is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            parsed = datetime.combine(date.fromisoformat(text), time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise invalid(
            name, "Use an ISO 8601 instant, e.g. 2024-05-01T00:00:00Z.", "invalid_instant"
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_bool(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise invalid(name, "Use true or false.", "invalid_boolean")


def optional(parse: Callable[[str, str], T], name: str, params: Mapping[str, str]) -> T | None:
    """`parse(name, value)` of a parameter given with a value; None when absent or empty."""
    value = params.get(name)
    return parse(name, value) if value else None


def parse_positive(name: str, text: str) -> int:
    return whole_number(name, text.strip(), minimum=1)


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
