"""Every 4xx and 5xx of the API as RFC 9457 `application/problem+json`, decided here only.

Body: `type`, `title`, `status`, `detail`, `code`, plus `errors`: a list of
`{"field", "code", "message"}` for each invalid input, and any domain `extra` members.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error

from ipi_exchange.errors import (
    ApplicationError,
    Conflict,
    NotAllowed,
    NotFound,
    TooLarge,
    Unprocessable,
)

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(
    status: int,
    *,
    code: str,
    detail: str,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> HttpResponse:
    body: dict[str, object] = {
        "type": f"urn:ipi-exchange:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def flatten_errors(detail: object, field: str = "") -> list[dict]:
    """DRF's nested error detail as a flat list, one entry per message, with a dotted path."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in flatten_errors(value, f"{field}.{key}" if field else str(key))
        ]
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            return [_error(field, item) for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in flatten_errors(item, f"{field}[{index}]")
        ]
    return [_error(field, detail)]


def _error(field: str, item: object) -> dict:
    code = getattr(item, "code", "invalid") or "invalid"
    return {"field": field or None, "code": code, "message": str(item)}


# The status each kind of domain refusal is answered with; the first match wins.
STATUS_OF_ERROR: tuple[tuple[type[ApplicationError], int], ...] = (
    (NotAllowed, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (Unprocessable, 422),
    (ApplicationError, 400),
)


def problem_exception_handler(exc: Exception, context: dict) -> HttpResponse:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApplicationError):
        status = next(s for kind, s in STATUS_OF_ERROR if isinstance(exc, kind))
        return problem_response(status, code=exc.code, detail=exc.message, **exc.extra)

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        detail = errors[0]["message"] if len(errors) == 1 else f"{len(errors)} inputs are invalid."
        return problem_response(400, code="invalid", detail=detail, errors=errors)

    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        # auth_header: set by APIView.handle_exception; wait: on Throttled.
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
        if wait := getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(wait))
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        return problem_response(exc.status_code, code=code, detail=str(exc.detail), headers=headers)

    logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
    return server_error_response()


def server_error_response() -> HttpResponse:
    return problem_response(
        500,
        code="server_error",
        detail="The server failed to process this request. It has been logged; please retry later.",
    )


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django-level 400s (a disallowed Host header, a malformed multipart body)."""
    return problem_response(400, code="bad_request", detail="The request could not be understood.")


def permission_denied_view(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return problem_response(403, code="permission_denied", detail="This is not allowed.")


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(404, code="not_found", detail="No resource at this address.")


def server_error_view(request: HttpRequest) -> HttpResponse:
    return server_error_response()
