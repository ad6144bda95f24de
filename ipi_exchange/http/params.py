"""Query parameters parsed strictly: a malformed value is a 400 naming the field, and so is
an unknown parameter (a typo such as `startperiod` would otherwise silently return
everything)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import TypeVar

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ErrorDetail, ValidationError

from ipi_exchange.http.pagination import whole_number
from ipi_exchange.http.schema import INSTANT_PATTERN

T = TypeVar("T")

# Added by DRF (?format=csv) or by pagination; never an error.
COMMON = frozenset({"format"})
PAGINATION = frozenset({"limit", "offset"})
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,9}$")
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
_INSTANT = re.compile(INSTANT_PATTERN)
_UNENCODED_PLUS = re.compile(
    r"([T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?) ([0-9]{2}(?::?[0-9]{2})?)$"
)


def invalid(name: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({name: [ErrorDetail(message, code=code)]})


def reject_unknown(params: Mapping[str, str], allowed: Iterable[str]) -> None:
    """Unknown parameters, and known ones given empty (`includeHistory=`, which would
    otherwise read as absent), are 400s naming them; `limit`, `offset` and free text (a
    comment) may be empty."""
    known = COMMON | set(allowed)
    reject_blank(params)
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


# May be given empty: pagination (empty is the default, as in DRF) and free text.
BLANK_OK = PAGINATION | {"comment"}


def reject_blank(params: Mapping[str, str], names: Iterable[str] | None = None) -> None:
    """A parameter given with no value is refused: `format=` or `months=` is a mistake to
    report, not a request for the default."""
    blank = sorted(
        name
        for name in (params if names is None else names)
        if name in params and name not in BLANK_OK and not str(params[name]).strip()
    )
    if blank:
        raise ValidationError(
            {
                name: [
                    ErrorDetail(
                        "Give a value, or leave the parameter out for its default.", code="blank"
                    )
                ]
                for name in blank
            }
        )


def parse_codes(name: str, text: str) -> tuple[str, ...]:
    """Codes joined by commas or `+` (which a query string may deliver as a space)."""
    codes = tuple(code for code in re.split(r"[,+ ]", text.strip().upper()) if code)
    for code in codes:
        if not CODE.match(code):
            raise invalid(name, f"{code!r} is not a code.", "invalid_code")
    return codes


def parse_instant(name: str, text: str) -> datetime:
    """ISO 8601 as the schema's INSTANT_PATTERN has it: a date means its midnight UTC, an
    instant without offset is UTC; years 1900 to 2999. Other spellings Python's parser takes
    (`20240501`, `2024-W18-3`, `2024-05-01T00`, `2024-05-01T00:00:00,5`, seven decimals)
    are refused like any other text, so that the schema says what is taken."""
    # An unencoded `+07:00` after a time arrives as ` 07:00` (a query string's `+` is a space).
    text = _UNENCODED_PLUS.sub(r"\1+\2", text)
    parsed = None
    if _INSTANT.fullmatch(text):
        try:
            parsed = parse_datetime(text) or datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            parsed = None
    try:
        # In UTC: PostgreSQL refuses offsets past 15:59 (a 500, not a 400) and Python can
        # reach no instant before year 1 or after 9999.
        if parsed is not None:
            parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        parsed = None
    if parsed is None:
        raise invalid(
            name, "Use an ISO 8601 instant, e.g. 2024-05-01T00:00:00Z.", "invalid_instant"
        )
    return parsed


def parse_bool(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise invalid(name, "Use true or false.", "invalid_boolean")


def optional(parse: Callable[[str, str], T], name: str, params: Mapping[str, str]) -> T | None:
    """`parse(name, value)` of a parameter given; None when absent (empty: see reject_blank)."""
    reject_blank(params, [name])
    value = params.get(name)
    return parse(name, value) if value else None


def parse_positive(name: str, text: str) -> int:
    return whole_number(name, text.strip(), minimum=1)
