"""The OpenAPI schema's shared pieces: the patterns of what the strict parameter parsers accept
(params.py, disseminate/query.py, disseminate/keys.py), and the post-processing hook by which
every operation documents the problem+json answers it can give.

Those answers come from one exception handler (and the server in front of it), not from each
view, so they are added here once instead of on every view. The patterns are written with
`[0-9]`, never `\\d`: a JSON Schema engine may let `\\d` match other scripts' digits, which the
service refuses.
"""

from __future__ import annotations

from typing import Any

# --- What the parsers accept, as JSON Schema patterns ------------------------------------------

_CODE = "[A-Za-z0-9][A-Za-z0-9_-]{0,9}"  # params.CODE, after the parser's upper()
# Codes joined by commas or `+` (parse_codes); empty: no filter.
CODES_PATTERN = f"^({_CODE}([,+]{_CODE})*)?$"
# An SDMX series key (keys.parse_key + query.parse_key_path): `all`, `*`, or five positions,
# each empty (every code) or codes joined by `+`.
_POSITION = f"({_CODE}(\\+{_CODE})*)?"
KEY_PATTERN = f"^(all|\\*|{_POSITION}(\\.{_POSITION}){{4}})$"

# Dates that exist: years 0001-9999, days 1-28 of any month, 29-30 of all but February, 31 of
# the long months, and 29 February of leap years only.
_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_LEAP = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
_MONTH = "(0[1-9]|1[0-2])"
_MONTH_DAY = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_DATE = f"({_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)"
# An SDMX period (query.period_bounds): 2024, 2024-Q1, 2024-S1, 2024-03, 2024-03-15.
PERIOD = f"({_YEAR}(-(Q[1-4]|S[12]|{_MONTH}))?|{_DATE})"
PERIOD_PATTERN = f"^{PERIOD}$"
# An ISO 8601 instant (params.parse_instant): a date (its midnight UTC), or a date and a time
# with an optional offset (none: UTC). Years from 1900 to 2999, so that no offset can carry
# the instant outside the years a database timestamp holds.
_RECENT_DATE = (
    "((19|2[0-9])[0-9]{2}-" + _MONTH_DAY + "|(19|2[0-9])(0[48]|[2468][048]|[13579][26])-02-29"
    "|2000-02-29)"
)
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
_OFFSET = "(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
INSTANT_PATTERN = f"^{_RECENT_DATE}(T{_TIME}{_OFFSET}?)?$"
# A whole number as pagination.whole_number reads it.
WHOLE_MAXIMUM = 999_999_999


def optional_pattern(pattern: str) -> str:
    """`pattern`, or the empty value (which the parser reads as "not given")."""
    return f"^({pattern.removeprefix('^').removesuffix('$')})?$"


def string(pattern: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, **extra}


def whole(minimum: int = 1, maximum: int = WHOLE_MAXIMUM) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

EVERY_OPERATION = {
    "400": "Invalid input or parameters",
    "401": "No, invalid, expired or revoked token",
    "403": "The token or its agency may not do this",
    "404": "Not found (another agency's resources are not found either)",
    "406": "No representation the Accept header allows",
    "414": "The request line (the address with its query) is too long",
    "429": "Too many requests; see Retry-After",
    "431": "A request header, or all of them together, is too large",
}
WRITES = {
    "409": "Conflicts with the resource's state",
    "413": "The upload is too large",
    "415": "Unsupported media type",
    "422": "An Idempotency-Key reused for another request",
}
# Request bodies whose unknown properties the service does not refuse: a submission's JSON is
# the submitted file itself, read by the validation (its findings are in the report).
OPEN_BODIES = frozenset({"SubmissionJsonBodyRequest"})


def add_problem_responses(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(EVERY_OPERATION)
            if method in {"post", "put", "patch", "delete"}:
                codes.update(WRITES)
            responses = operation["responses"]
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": reference})
            for code, response in responses.items():
                # A refusal a view documents itself (e.g. 413) is problem+json all the same.
                if code.startswith("4") and not response.get("content"):
                    response["content"] = reference
    # The input serializers refuse unknown properties (ipi_exchange.http.strict): say so.
    for name, component in schemas.items():
        if (
            name.endswith("Request")
            and name not in OPEN_BODIES
            and component.get("type") == "object"
            and "properties" in component
        ):
            component.setdefault("additionalProperties", False)
    return result
