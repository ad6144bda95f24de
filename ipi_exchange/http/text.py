"""Text no column can hold, refused at the edge: one rule for every path, query parameter,
header, form field, file name and JSON string, instead of a check per endpoint.

Bad text is a NUL character (U+0000: PostgreSQL text cannot contain it, and psycopg raises
DataError on it) or a lone surrogate (U+D800-U+DFFF: not encodable as UTF-8, so neither storable
nor printable). `RequestTextMiddleware` checks the address and the headers of every request;
the DRF parsers of `ipi_exchange.http.parsers` check the bodies they decode. The bytes of an
uploaded *file* are not checked here: a submission's file is read by the validation, which
reports NUL bytes and broken encodings as findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from rest_framework.exceptions import ErrorDetail, ValidationError

from ipi_exchange.http.problems import flatten_errors, problem_response

# Where query parameters are read by programs: digits of other scripts are refused there
# (ipi_exchange/http/params.py); the web pages' forms are Django forms of their own.
DIGITS_CHECKED = ("/api/", "/sdmx/")
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
INVALID_TEXT = "invalid_text"


def bad_text(value: str) -> str | None:
    """What is wrong with `value` ("a NUL character (U+0000)", ...), or None if nothing."""
    found = BAD_TEXT.search(value)
    if found is None:
        return None
    character = found.group()
    kind = "a NUL character" if character == "\x00" else "a lone surrogate"
    return f"{kind} (U+{ord(character):04X})"


def shown(text: str) -> str:
    """`text` printable in an answer: each bad character as a `\\uXXXX` escape."""
    return BAD_TEXT.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def text_message(what: str, problem: str) -> str:
    return f"The {what} contains {problem}, which is not allowed in any text."


def text_error(field: str, what: str, problem: str) -> ValidationError:
    return ValidationError({shown(field): [ErrorDetail(text_message(what, problem), INVALID_TEXT)]})


def check_form(items: Iterable[tuple[str, list]], what: str = "form field") -> None:
    """Names and text values of a form (a QueryDict's `lists()`); files are checked by name."""
    for name, values in items:
        if problem := bad_text(name):
            raise text_error(name, f"{what} name", problem)
        for value in values:
            if isinstance(value, str) and (problem := bad_text(value)):
                raise text_error(name, what, problem)


def check_json(data: object) -> None:
    """Every key and string of decoded JSON, without recursion; the field is its path."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if problem := bad_text(value):
                raise text_error(path or "body", "JSON string", problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}" if path else str(key)
                if problem := bad_text(str(key)):
                    raise text_error(inner, "JSON member name", problem)
                stack.append((item, inner))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))


# --- Digits -----------------------------------------------------------------------------------


def non_ascii_digit(text: str) -> str | None:
    r"""The first digit of another script in `text` (fullwidth, Arabic-Indic, Devanagari, Thai,
    superscripts...), or None. Python's int() and regex `\\d` read them as 0-9."""
    return next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)


def digits_message(character: str) -> str:
    return (
        f"{character!r} (U+{ord(character):04X}) is a digit of another script; "
        "write numbers, periods and instants with the ASCII digits 0-9."
    )


def reject_non_ascii_digits(items: Iterable[tuple[str, list[str]]]) -> None:
    """Every parameter (but free text) written with ASCII digits only: one rule, so that no
    parameter reads "٢٠٢٤" as 2024 while another refuses it."""
    for name, values in items:
        if name in FREE_TEXT:
            continue
        for value in values:
            if character := non_ascii_digit(value):
                raise ValidationError(
                    {name: [ErrorDetail(digits_message(character), "invalid_digits")]}
                )


# Parameters of free text, where a Thai date or a file name in Devanagari is just text.
FREE_TEXT = frozenset({"comment", "filename"})


# --- The middleware --------------------------------------------------------------------------

# Headers are `HTTP_*` in META, except these two.
_UNPREFIXED_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def _header_name(key: str) -> str | None:
    if key in _UNPREFIXED_HEADERS:
        return _UNPREFIXED_HEADERS[key]
    if key.startswith("HTTP_"):
        return "-".join(part.capitalize() for part in key[5:].split("_"))
    return None


def request_text_problem(request: HttpRequest) -> tuple[str, str, str] | None:
    """(field, what, problem) of the first bad text in the path, query or headers."""
    for path in (request.path_info, request.path):
        if problem := bad_text(path):
            return "path", "address (path)", problem
    for name, values in request.GET.lists():
        if problem := bad_text(name):
            return name, "query parameter name", problem
        for value in values:
            if problem := bad_text(value):
                return name, "query parameter", problem
    for key, value in request.META.items():
        header = _header_name(key)
        if header and isinstance(value, str) and (problem := bad_text(value)):
            return header, "header", problem
    return None


def edge_problem(
    request: HttpRequest, status: int, code: str, detail: str, errors: list[dict]
) -> HttpResponse:
    """The refusal in the form the address answers its errors in: problem+json, unless
    IPI_EDGE_ERROR_ANSWERS names another answer for the address's prefix (SDMX clients read
    SDMX error messages under /sdmx/)."""
    for prefix, answer in getattr(settings, "IPI_EDGE_ERROR_ANSWERS", {}).items():
        if request.path_info.startswith(prefix):
            return import_string(answer)(request, status, detail)
    return problem_response(
        status, code="invalid" if status == 400 else code, detail=detail, errors=errors
    )


class RequestTextMiddleware:
    """Refuses bad text in the address and headers of any request (API, SDMX, web pages)
    before a view, a session lookup or the authentication reads them: 400, naming the field.
    Under /api/ and /sdmx/, a query parameter written with digits of another script too.
    A query string of more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters is refused here too
    (Django raises TooManyFieldsSent when it is first read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            found = request_text_problem(request)
        except TooManyFieldsSent:
            message = "The query string has too many parameters."
            return edge_problem(
                request,
                400,
                "too_many_parameters",
                message,
                [{"field": None, "code": "too_many_parameters", "message": message}],
            )
        if found is not None:
            field, what, problem = found
            message = text_message(what, problem)
            error = {"field": shown(field), "code": INVALID_TEXT, "message": message}
            return edge_problem(request, 400, INVALID_TEXT, message, [error])
        if request.path_info.startswith(DIGITS_CHECKED):
            try:
                reject_non_ascii_digits(request.GET.lists())
            except ValidationError as refusal:
                errors = flatten_errors(refusal.detail)
                return edge_problem(request, 400, "invalid", errors[0]["message"], errors)
        return self.get_response(request)
