"""The OpenAPI schema's shared pieces: the patterns of what the strict parameter parsers accept
(params.py, disseminate/query.py, disseminate/keys.py), and the post-processing hook by which
every operation documents the problem+json answers it can give.

Those answers come from one exception handler (and the server in front of it), not from each
view, so they are added here once instead of on every view. The patterns are written with
`[0-9]`, never `\\d`: a JSON Schema engine may let `\\d` match other scripts' digits, which the
service refuses.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

# --- What the parsers accept, as JSON Schema patterns ------------------------------------------

_CODE = "[A-Za-z0-9][A-Za-z0-9_-]{0,9}"  # params.CODE, after the parser's upper()
# Codes joined by commas or `+` (parse_codes). A parameter given empty is refused
# (params.reject_blank): leave it out for no filter.
CODES_PATTERN = f"^{_CODE}([,+]{_CODE})*$"
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
# with an optional offset (none: UTC), apart by `T` or a space (RFC 3339 allows it, and it is
# how Python writes a datetime). Years from 1900 to 2999, so that no offset can carry the
# instant outside the years a database timestamp holds.
_RECENT_DATE = (
    "((19|2[0-9])[0-9]{2}-" + _MONTH_DAY + "|(19|2[0-9])(0[48]|[2468][048]|[13579][26])-02-29"
    "|2000-02-29)"
)
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
_OFFSET = "(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
INSTANT_PATTERN = f"^{_RECENT_DATE}([T ]{_TIME}{_OFFSET}?)?$"
# What the models' validators accept (countries/models.py).
COUNTRY_CODE_PATTERN = "^[A-Z]{2}$"
AGENCY_ID_PATTERN = "^[A-Z][A-Z0-9_]{1,31}$"
# Text: anything but a NUL character, which no text may hold (ipi_exchange/http/text.py).
TEXT_PATTERN = "^[^\\u0000]*$"
# Text given as a parameter that may not be blank (params.reject_blank): some character
# beside white space, as Python's str.strip has it (DRF trims with it): not ECMA's `\s`,
# which leaves out U+001C-U+001F and U+0085 and counts U+FEFF.
_WHITE = (
    "\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
FREE_TEXT_PATTERN = f"^[^\\u0000]*[^{_WHITE}\\u0000][^\\u0000]*$"
# A webhook URL (webhooks/services/subscriptions.py `webhook_url_check`, after Django's URL
# validator): http(s), no credentials, a port from 1 to 65535, printable ASCII after the host.
# The host: a name of at most 8 labels, the first of at most 63 characters, the others of at
# most 24, a top-level label of letters (so that no name passes 253 characters, the longest
# the validator takes), or localhost, or an IPv4 address.


def _label(longest: int) -> str:
    return f"[A-Za-z0-9]([A-Za-z0-9-]{{0,{longest - 2}}}[A-Za-z0-9])?"


_HOST_NAME = f"{_label(63)}\\.({_label(24)}\\.){{0,6}}[A-Za-z]{{2,24}}"
_OCTET = "(0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
_PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
WEBHOOK_URL_PATTERN = (
    f"^https?://({_HOST_NAME}|localhost|{_OCTET}(\\.{_OCTET}){{3}})(:{_PORT})?([/?#][!-~]*)?$"
)
# A whole number as pagination.whole_number reads it.
WHOLE_MAXIMUM = 999_999_999


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
# Answered by the HTTP server (gunicorn) before a request reaches the service: its own page.
SERVER_PAGES = frozenset({"414", "431"})
SERVER_PAGE = {"text/html": {"schema": {"type": "string"}}}
WRITES = {
    "409": "Conflicts with the resource's state",
    "413": "The upload is too large",
    "415": "Unsupported media type",
    "422": "An Idempotency-Key reused for another request",
}
# Request bodies whose unknown properties the service does not refuse: a submission's JSON is
# the submitted file itself, read by the validation (its findings are in the report).
OPEN_BODIES = frozenset({"SubmissionJsonBodyRequest"})
# Operations whose body is required though drf-spectacular cannot tell (a body of several
# media types given by hand): an upload without one is refused (file_missing).
REQUIRED_BODIES = frozenset({"submission_upload"})


# --- Refusals the schema cannot state -----------------------------------------------------------


class Refusal(NamedTuple):
    """A refusal of a request whose every value has the form the schema describes: a rule
    across parameters (OpenAPI 3.0 has no way to say one), a time relative to the present, or
    a reference to data stored in the exchange or to the network. Each operation lists its own
    (`extend_schema(extensions=refusals(...))`); the hook below writes them into the
    operation's description and the answer's, and keeps them as `x-refusals` for programs
    (bench/schema_fuzz_hooks.py tells these refusals from disagreements by them)."""

    code: str
    status: int
    kind: str  # a key of REFUSAL_KINDS
    reason: str


REFUSAL_KINDS = {
    "across": "a rule across parameters",
    "now": "relative to the present time",
    "data": "depends on the data stored in the exchange",
    "network": "depends on the network (production settings)",
    "names": "in a free-form object, whose property names OpenAPI 3.0 cannot constrain",
}

CONFLICTING_MODES = Refusal(
    "conflicting_parameters",
    400,
    "across",
    "asOf, includeHistory=true and updatedAfter exclude each other: give at most one",
)
INVALID_RANGE = Refusal(
    "invalid_range", 400, "across", "endPeriod must not end before startPeriod begins"
)
TOO_MANY_OBSERVATIONS = Refusal(
    "too_many_observations",
    413,
    "data",
    "the selection holds more observations than one answer may: use /bulk/data.csv",
)

KEY_OR_FILTERS = Refusal(
    "conflicting_parameters", 400, "across", "give a key or dimension filters, not both"
)
UNKNOWN_OBJECT = Refusal(
    "does_not_exist", 400, "data", "a country (or agency) named that is not in the exchange"
)
ALREADY_EXISTS = Refusal("unique", 400, "data", "an object with this id exists already")
NUL_IN_NAMES = Refusal(
    "invalid_text",
    400,
    "names",
    "a NUL character in a property name of a row",
)


def refusals(*items: Refusal) -> dict[str, Any]:
    """`extensions` for extend_schema: the operation's documented refusals."""
    return {"x-refusals": [item._asdict() for item in items]}


def _document_refusals(operation: dict) -> None:
    items = operation.get("x-refusals")
    if not items:
        return
    lines = [
        f"- `{item['code']}` ({item['status']}, {REFUSAL_KINDS[item['kind']]}): {item['reason']}."
        for item in items
    ]
    text = "Refused although every value has the form described here:\n\n" + "\n".join(lines)
    description = operation.get("description", "")
    operation["description"] = f"{description}\n\n{text}" if description else text
    for item in items:
        response = operation["responses"].get(str(item["status"]))
        if response is not None:
            response["description"] += f"; `{item['code']}`: {item['reason']}"


# Form bodies (urlencoded and multipart) have no null: there a nullable property is its value
# or the empty string, which DRF reads as null in a form; or only its value where the empty
# string is refused (an upload's options, like its query parameters: params.reject_blank).
BLANK_REFUSED_FORMS = frozenset({"SubmissionUploadRequest"})
EMPTY = {"type": "string", "maxLength": 0, "description": "Empty: none (null)"}
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_variants(result: dict, schemas: dict) -> None:
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media_type in FORM_MEDIA_TYPES:
                reference = content.get(media_type, {}).get("schema", {}).get("$ref", "")
                name = reference.rsplit("/", 1)[-1]
                component = schemas.get(name)
                if not component or not any(
                    p.get("nullable") for p in component.get("properties", {}).values()
                ):
                    continue
                form = copy.deepcopy(component)
                for key, prop in form["properties"].items():
                    if prop.pop("nullable", None) and name not in BLANK_REFUSED_FORMS:
                        form["properties"][key] = {"anyOf": [prop, EMPTY]}
                schemas[f"{name}Form"] = form
                content[media_type]["schema"] = {"$ref": f"#/components/schemas/{name}Form"}


def _text_patterns(component: dict) -> None:
    """Free text in a request body: no NUL (refused at the edge, ipi_exchange/http/text.py),
    and where it may not be blank, some character beside white space (DRF trims it)."""
    for prop in component.get("properties", {}).values():
        if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            prop = prop["items"]
        if prop.get("type") != "string" or {"pattern", "format", "enum"} & set(prop):
            continue
        prop["pattern"] = FREE_TEXT_PATTERN if prop.get("minLength", 0) >= 1 else TEXT_PATTERN


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
                if code in SERVER_PAGES:
                    description += " (answered by the HTTP server with a page of its own)"
                content = SERVER_PAGE if code in SERVER_PAGES else reference
                responses.setdefault(code, {"description": description, "content": content})
            for code, response in responses.items():
                # A refusal a view documents itself (e.g. 413) is problem+json all the same.
                if code.startswith("4") and not response.get("content"):
                    response["content"] = reference
            _document_refusals(operation)
            if operation.get("operationId") in REQUIRED_BODIES and "requestBody" in operation:
                operation["requestBody"]["required"] = True
    # The input serializers refuse unknown properties (ipi_exchange.http.strict): say so.
    for name, component in schemas.items():
        if (
            name.endswith("Request")
            and name not in OPEN_BODIES
            and component.get("type") == "object"
            and "properties" in component
        ):
            component.setdefault("additionalProperties", False)
        if name.endswith("Request"):
            _text_patterns(component)
    _form_variants(result, schemas)
    return result
